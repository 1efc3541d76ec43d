// A TypeScript consumer written against types generated from kpb.openapi.yaml by
// openapi-typescript. `npm run check` regenerates the types and type-checks this file,
// so a spec change that breaks consumers in other languages fails here.
import type { components, paths } from "./generated/kpb.js";

type Schemas = components["schemas"];
type ApplicationsResponse =
  paths["/Application"]["get"]["responses"]["200"]["content"]["application/json"];
type MedicalCertificatesResponse =
  paths["/MedicalCertificate"]["get"]["responses"]["200"]["content"]["application/json"];
type ErrorBody = paths["/Application"]["get"]["responses"]["401"]["content"]["application/json"];
type CprQuery = paths["/Application"]["get"]["parameters"]["query"];

// The PDF's example (§3.2.2.3), including the undocumented application status 11.
export const pdfExample: ApplicationsResponse = {
  Applications: [
    {
      Id: "9ed081f0-a40d-4666-b7fe-15a1d6a55242",
      LicenseCategoryCode: "A",
      LicenseCategoryName: "Stor motorcykel",
      ExamTypeCode: "1. gangserhvervelse",
      ExamTypeName: "",
      ApplicationStatus: { Code: 11, Name: "Prøve bestilt" },
      CommentFurtherProccessing: null,
      CommentRejected: null,
      ApplicationExams: [
        { ExamDate: "2018-04-22T09:00:00", ExamStatus: { Code: 1, Name: "Bestilt" }, ExamLocation: "Rønne" },
      ],
      ApplicationEvents: [
        { Type: 1, Name: "Prøveforløb oprettet", User: "Kørelærer 1, Køreskole 1", CreatedDate: "2018-02-09T11:54:36.9625113" },
      ],
    },
  ],
};

export const noCertificates: MedicalCertificatesResponse = { MedicalCertificates: [] };

const documentedApplicationStatus: readonly Schemas["ApplicationStatusCode"][] = [1, 2, 3, 4, 5, 6, 7];

export function describeStatus(status: Schemas["ApplicationStatus"]): string {
  // Open enum: a documented code narrows to the enum, anything else is kept with its Name.
  // A Name may be null (D22).
  const documented = (documentedApplicationStatus as readonly number[]).includes(status.Code);
  const name = status.Name ?? "-";
  return documented ? name : `${name} (undocumented code ${status.Code})`;
}

export function nextExamDate(app: Schemas["Application"]): string | undefined {
  // KpbDateTime strings sort chronologically as text; a null list reads as none (D22).
  return (app.ApplicationExams ?? []).map((exam) => exam.ExamDate).sort()[0];
}

export function errorText(body: ErrorBody): string {
  return body.Message;
}

export const query: CprQuery = { cpr: "0702614074" };

// The checks below fail the type-check if the spec loosens or renames these shapes.

// An event type is an integer code, or a string as the PDF's table has it (DISCREPANCIES D3).
export const stringEventType: Schemas["ApplicationEvent"]["Type"] = "1";

// @ts-expect-error Status codes are integers, documented or not; never strings.
export const stringStatusCode: Schemas["ApplicationStatus"]["Code"] = "11";

// @ts-expect-error Id is required on an application.
export const missingId: Schemas["Application"] = { ...pdfExample.Applications[0]!, Id: undefined };

// @ts-expect-error The 200 body is an object with Applications, not a bare array.
export const bareArray: ApplicationsResponse = [];

// @ts-expect-error Status names are strings.
export const numericName: Schemas["ExamStatus"] = { Code: 1, Name: 1 };

// @ts-expect-error cpr is required.
export const noCpr: CprQuery = {};
