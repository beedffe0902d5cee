// Starts the NHS design system's components (the header menu's "More" button on narrow screens, the
// error summary, checkboxes' and radios' conditional content), from a file so that the
// Content-Security-Policy can forbid inline scripts.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
