// A TypeScript consumer of the client that openapi-generator (`typescript-fetch`,
// spec/generators/typescript-fetch.yaml) generates from spec/kpb.openapi-3.0.yaml. The
// consumer checks (tests/consumers) copy it beside the freshly generated client in
// ./kpb-client, type-check it with `tsc --strict`, and run it with Node:
//
//   node lookups.js parse applications|medical-certificates|error FILE...
//   node lookups.js lookup BASE_URL P12 PASSWORD_FILE CA_PEM CPR...
//
// It prints the same JSON lines as spec/consumers/java/KpbLookups.java: what the generated
// models made of each answer ("body", written back by the generated ToJSON functions) and
// how each code was typed ("codes": a documented code as "Enum.MEMBER", any other as the
// number KPB sent). Lines name a person by the position of its CPR number.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";

import {
  ApplicationApi,
  ApplicationEventType,
  ApplicationStatusCode,
  type ApplicationsResponse,
  ApplicationsResponseFromJSON,
  ApplicationsResponseToJSON,
  Configuration,
  ErrorMessageFromJSON,
  ErrorMessageToJSON,
  ExamStatusCode,
  type FetchAPI,
  MedicalCertificateApi,
  MedicalCertificateStatusCode,
  type MedicalCertificatesResponse,
  MedicalCertificatesResponseFromJSON,
  MedicalCertificatesResponseToJSON,
  ResponseError,
  TestApi,
} from "./kpb-client/src/index.js";

type Line = Record<string, unknown>;
type CodeSet = Record<string, number>;

// A status code is typed `number` (spec/generators/typescript-fetch.yaml): these lines fail
// to compile if the generator types it as anything else again, such as `{}`.
export const applicationStatus: (status: { code: number }) => number = (status) => status.code;

/** A documented code is a member of its generated enum; any other is the number KPB sent. */
function typed(name: string, codes: CodeSet, value: unknown): string | number {
  if (typeof value === "string") {
    return `text:${value}`;
  }
  if (typeof value !== "number") {
    return `unexpected:${typeof value}`;
  }
  const member = Object.keys(codes).find((key) => codes[key] === value);
  return member === undefined ? value : `${name}.${member}`;
}

function describeApplications(response: ApplicationsResponse): Line {
  const codes: [string, string | number][] = [];
  const examLocations: (string | null)[] = [];
  for (const application of response.applications ?? []) {
    if (application.applicationStatus !== null) {
      const code: number = application.applicationStatus.code;
      codes.push(["ApplicationStatus.Code", typed("ApplicationStatusCode", ApplicationStatusCode, code)]);
    }
    for (const exam of application.applicationExams ?? []) {
      examLocations.push(exam.examLocation);
      if (exam.examStatus !== null) {
        codes.push(["ExamStatus.Code", typed("ExamStatusCode", ExamStatusCode, exam.examStatus.code)]);
      }
    }
    for (const event of application.applicationEvents ?? []) {
      // An event type is a number or, as the PDF's table has it, a string (D3).
      codes.push(["ApplicationEvent.Type", typed("ApplicationEventType", ApplicationEventType, event.type)]);
    }
  }
  return { body: ApplicationsResponseToJSON(response), codes, examLocations };
}

function describeMedicalCertificates(response: MedicalCertificatesResponse): Line {
  const codes: [string, string | number][] = [];
  for (const certificate of response.medicalCertificates ?? []) {
    if (certificate.status !== null) {
      codes.push([
        "MedicalCertificateStatus.Code",
        typed("MedicalCertificateStatusCode", MedicalCertificateStatusCode, certificate.status.code),
      ]);
    }
  }
  return { body: MedicalCertificatesResponseToJSON(response), codes };
}

function parsed(kind: string, json: unknown): Line {
  switch (kind) {
    case "applications":
      return describeApplications(ApplicationsResponseFromJSON(json));
    case "medical-certificates":
      return describeMedicalCertificates(MedicalCertificatesResponseFromJSON(json));
    case "error": {
      const error = ErrorMessageFromJSON(json);
      return { body: ErrorMessageToJSON(error), message: error.message, messageDetail: error.messageDetail ?? null };
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** The certificate set-up a municipal system needs: its PKCS#12 file, and KPB's CA. */
export function mutualTls(p12: string, passwordFile: string, caPem: string): FetchAPI {
  const agent = new Agent({
    connect: {
      pfx: readFileSync(p12),
      passphrase: readFileSync(passwordFile, "utf8").trim(),
      ca: readFileSync(caPem), // against KPB itself, leave `ca` out: Node's own CAs apply
      minVersion: "TLSv1.2",
    },
  });
  const fetchApi = (input: Parameters<FetchAPI>[0], init?: RequestInit): ReturnType<FetchAPI> =>
    undiciFetch(input as string, { ...(init as object), dispatcher: agent }) as unknown as ReturnType<FetchAPI>;
  return fetchApi;
}

async function lookup(baseUrl: string, p12: string, passwordFile: string, caPem: string, cprs: string[]): Promise<void> {
  const fetchApi = mutualTls(p12, passwordFile, caPem);
  // Always give basePath: the default is the first server, KPB's test environment.
  const config = new Configuration({ basePath: baseUrl, fetchApi });
  emit({ operation: "test", body: await new TestApi(config).getTest() });
  const applications = new ApplicationApi(config);
  const certificates = new MedicalCertificateApi(config);
  for (const [person, cpr] of cprs.entries()) {
    emit({ ...describeApplications(await applications.getApplications({ cpr })), operation: "applications", person });
    emit({
      ...describeMedicalCertificates(await certificates.getMedicalCertificates({ cpr })),
      operation: "medical-certificates",
      person,
    });
  }
  const misspelt = new Configuration({ basePath: `${baseUrl}/Misspelt`, fetchApi });
  try {
    await new TestApi(misspelt).getTest();
    emit({ operation: "not-found", status: 200 });
  } catch (error) {
    if (!(error instanceof ResponseError)) {
      throw error;
    }
    emit({ ...parsed("error", await error.response.json()), operation: "not-found", status: error.response.status });
  }
}

function emit(line: Line): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === "parse" && rest.length >= 2) {
    const [kind, ...files] = rest as [string, ...string[]];
    for (const file of files) {
      emit({ ...parsed(kind, JSON.parse(readFileSync(file, "utf8"))), source: basename(file) });
    }
  } else if (command === "lookup" && rest.length >= 5) {
    const [baseUrl, p12, passwordFile, caPem, ...cprs] = rest as [string, string, string, string, ...string[]];
    await lookup(baseUrl, p12, passwordFile, caPem, cprs);
  } else {
    process.stderr.write("usage: lookups parse KIND FILE... | lookup BASE_URL P12 PASSWORD_FILE CA_PEM CPR...\n");
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
