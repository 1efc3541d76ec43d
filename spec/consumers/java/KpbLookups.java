// A Java consumer of the client that openapi-generator (`java`, spec/generators/java.yaml)
// generates from spec/kpb.openapi-3.0.yaml. The consumer checks (tests/consumers) compile it
// against the freshly generated sources and run it:
//
//   java KpbLookups parse applications|medical-certificates|error FILE...
//       parse each JSON file with the generated models
//   java KpbLookups lookup BASE_URL P12 PASSWORD_FILE CA_PEM CPR...
//       call KPB over mutual TLS: /test, then both services for each CPR number, then a
//       misspelt route (404)
//
// Each answer becomes one JSON line: what the generated models made of it ("body",
// written back by the generated serializer) and how each code was typed ("codes": a
// documented code as "Enum.MEMBER", any other as the number KPB sent). Lines name a person
// by the position of its CPR number, never by the number.
import dk.kombit.kpb.client.ApiClient;
import dk.kombit.kpb.client.ApiException;
import dk.kombit.kpb.client.api.ApplicationApi;
import dk.kombit.kpb.client.api.MedicalCertificateApi;
import dk.kombit.kpb.client.api.TestApi;
import dk.kombit.kpb.client.model.Application;
import dk.kombit.kpb.client.model.ApplicationEvent;
import dk.kombit.kpb.client.model.ApplicationExam;
import dk.kombit.kpb.client.model.ApplicationsResponse;
import dk.kombit.kpb.client.model.ErrorMessage;
import dk.kombit.kpb.client.model.MedicalCertificate;
import dk.kombit.kpb.client.model.MedicalCertificatesResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

public final class KpbLookups {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = ApiClient.createDefaultObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("parse")) {
            for (int i = 2; i < args.length; i++) {
                String json = Files.readString(Path.of(args[i]), StandardCharsets.UTF_8);
                emit(parsed(args[1], json).put("source", Path.of(args[i]).getFileName().toString()));
            }
        } else if (args.length >= 6 && args[0].equals("lookup")) {
            lookup(args[1], Path.of(args[2]), Path.of(args[3]), Path.of(args[4]),
                   List.of(args).subList(5, args.length));
        } else {
            System.err.println("usage: KpbLookups parse KIND FILE... | lookup BASE_URL P12 PASSWORD_FILE CA_PEM CPR...");
            System.exit(2);
        }
    }

    /** The certificate set-up a municipal system needs: its PKCS#12 file, and KPB's CA. */
    static SSLContext mutualTls(Path p12, char[] password, Path caPem) throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            identity.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, password);

        // Against KPB itself, pass null trust managers: the JDK's own CAs apply.
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry("kpb-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);

        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    static void lookup(String baseUrl, Path p12, Path passwordFile, Path caPem, List<String> cprs) throws Exception {
        char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
        SSLParameters tls = new SSLParameters();
        tls.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        HttpClient.Builder builder = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(mutualTls(p12, password, caPem))
            .sslParameters(tls);
        ApiClient client = new ApiClient().setHttpClientBuilder(builder);
        client.updateBaseUri(baseUrl);  // always explicit: the default is the test environment

        emit(NODES.objectNode().put("operation", "test").set("body", MAPPER.valueToTree(new TestApi(client).getTest())));
        ApplicationApi applications = new ApplicationApi(client);
        MedicalCertificateApi certificates = new MedicalCertificateApi(client);
        for (int person = 0; person < cprs.size(); person++) {
            ApplicationsResponse a = applications.getApplications(cprs.get(person));
            emit(describe(a).put("operation", "applications").put("person", person));
            MedicalCertificatesResponse m = certificates.getMedicalCertificates(cprs.get(person));
            emit(describe(m).put("operation", "medical-certificates").put("person", person));
        }

        ApiClient misspelt = new ApiClient().setHttpClientBuilder(builder);
        misspelt.updateBaseUri(baseUrl + "/Misspelt");
        try {
            new TestApi(misspelt).getTest();
            emit(NODES.objectNode().put("operation", "not-found").put("status", 200));
        } catch (ApiException error) {
            ObjectNode line = parsed("error", error.getResponseBody());
            emit(line.put("operation", "not-found").put("status", error.getCode()));
        }
    }

    static ObjectNode parsed(String kind, String json) throws Exception {
        switch (kind) {
            case "applications":
                return describe(MAPPER.readValue(json, ApplicationsResponse.class));
            case "medical-certificates":
                return describe(MAPPER.readValue(json, MedicalCertificatesResponse.class));
            case "error": {
                ErrorMessage error = MAPPER.readValue(json, ErrorMessage.class);
                ObjectNode line = NODES.objectNode().set("body", MAPPER.valueToTree(error));
                line.put("message", error.getMessage());
                line.put("messageDetail", error.getMessageDetail());
                return line;
            }
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    static ObjectNode describe(ApplicationsResponse response) {
        ArrayNode codes = NODES.arrayNode();
        ArrayNode locations = NODES.arrayNode();
        if (response.getApplications() != null) {
            for (Application application : response.getApplications()) {
                if (application.getApplicationStatus() != null) {
                    code(codes, "ApplicationStatus.Code", application.getApplicationStatus().getCode().getActualInstance());
                }
                if (application.getApplicationExams() != null) {
                    for (ApplicationExam exam : application.getApplicationExams()) {
                        locations.add(exam.getExamLocation());
                        if (exam.getExamStatus() != null) {
                            code(codes, "ExamStatus.Code", exam.getExamStatus().getCode().getActualInstance());
                        }
                    }
                }
                if (application.getApplicationEvents() != null) {
                    for (ApplicationEvent event : application.getApplicationEvents()) {
                        code(codes, "ApplicationEvent.Type", event.getType().getActualInstance());
                    }
                }
            }
        }
        ObjectNode line = NODES.objectNode();
        line.set("body", MAPPER.valueToTree(response));
        line.set("codes", codes);
        line.set("examLocations", locations);
        return line;
    }

    static ObjectNode describe(MedicalCertificatesResponse response) {
        ArrayNode codes = NODES.arrayNode();
        if (response.getMedicalCertificates() != null) {
            for (MedicalCertificate certificate : response.getMedicalCertificates()) {
                if (certificate.getStatus() != null) {
                    code(codes, "MedicalCertificateStatus.Code", certificate.getStatus().getCode().getActualInstance());
                }
            }
        }
        ObjectNode line = NODES.objectNode();
        line.set("body", MAPPER.valueToTree(response));
        line.set("codes", codes);
        return line;
    }

    /** A documented code is a member of its generated enum; any other is the number KPB sent. */
    static void code(ArrayNode codes, String field, Object value) {
        ArrayNode entry = codes.addArray().add(field);
        if (value instanceof Enum<?> member) {
            entry.add(member.getDeclaringClass().getSimpleName() + "." + member.name());
        } else if (value instanceof Integer number) {  // read as Number: see spec/generators/java.yaml
            entry.add(number);
        } else if (value instanceof String text) {
            entry.add("text:" + text);
        } else {
            entry.add("unexpected:" + (value == null ? "null" : value.getClass().getName()));
        }
    }

    static void emit(ObjectNode line) throws Exception {
        System.out.println(MAPPER.writeValueAsString(line));
    }
}
