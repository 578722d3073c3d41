// This repo's Worker is what a user deploys from npm: the handler of
// `edgetax/worker` (its source: ./handler.js).
export { default } from "edgetax/worker";
