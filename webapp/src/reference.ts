// The browsable API reference: Swagger UI (from the npm registry, bundled) over the stack's own OpenAPI document.
import "swagger-ui-dist/swagger-ui.css";
import { SwaggerUIBundle } from "swagger-ui-dist";

SwaggerUIBundle({ url: "v2/openapi.json" /* relative: under a stage path too */, dom_id: "#swagger", deepLinking: true });
