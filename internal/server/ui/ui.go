// Package ui holds Osler's web UI: plain HTML, CSS and JavaScript with no
// build step and no external assets (no CDNs, fonts or trackers), embedded
// in the binary and served by internal/server at /. It lists the models
// with their versions and approval states (approve and reject buttons for
// admin keys), shows a model's metrics and its evaluation report (in a
// sandboxed frame), and has try-it boxes for classification and
// summarization that call the server's own /v1 API with the API key the
// user pastes (kept in the tab's sessionStorage only). Its CDS Hooks page
// (cds.js) calls the CDS services on a patient's FHIR Bundle read in the
// browser and shows their cards as an EHR would.
package ui

import "embed"

// Files are the UI's files: index.html, app.js, cds.js and style.css.
//
//go:embed index.html app.js cds.js style.css
var Files embed.FS
