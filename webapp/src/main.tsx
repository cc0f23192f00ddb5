import { setDefaultFontLoading } from "@ui5/webcomponents-base/dist/config/Fonts.js";
import { ThemeProvider } from "@ui5/webcomponents-react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

// UI5 fetches its "72" font from SAP's CDN by default; the app reaches only its own origin (and the issuer).
setDefaultFontLoading(false);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider>
      <App />
    </ThemeProvider>
  </StrictMode>,
);
