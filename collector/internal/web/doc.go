// Package web is the collector's web UI: server-rendered HTML (html/template, embedded CSS, no
// external resources) under /ui/, for assessors, applicants and viewers. Every page and action
// goes through the HTTP API of package api, called in process with the user's own token, so the
// UI can show and do exactly what the API lets that token show and do. The user pastes an API
// token once; it stays in server memory behind a random session id kept in an HttpOnly,
// SameSite=Strict cookie, and every POST carries the session's CSRF token. Live scan progress is
// the API's server-sent events, relayed to a few lines of vanilla JavaScript; without JavaScript
// the scan page reloads itself instead.
package web
