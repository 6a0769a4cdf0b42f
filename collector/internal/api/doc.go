// Package api is the collector's HTTP API for assessors, applicants and viewers: /api/v1, JSON,
// bearer-token authentication with roles, JSON errors with stable codes, live scan progress as
// server-sent events, and an OpenAPI 3 document generated from the route table at
// /api/v1/openapi.json. It is a thin layer over package assess; Client is the Go client the
// ceplus-collector CLI uses. docs/api.md describes it for people.
package api
