// Package apk is the inventory source for Alpine Linux: the installed packages of
// lib/apk/db/installed, with the origin (source) package each was built from, and the
// pending updates that the APKINDEX files apk keeps in its cache already know about, offline.
//
// Alpine publishes no separate security repository and apk indexes carry no advisory
// classification, so pending updates are never marked as security updates: Security stays
// false and matching the installed versions against OSV Alpine records is what finds the
// security-relevant ones.
package apk
