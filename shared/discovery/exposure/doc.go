// Package exposure turns a service seen on the network into what findings need: the names under
// which advisories and lifecycle data know its product, and whether its release branch is past
// its upstream end of life, with nmap's evidence attached.
//
// Assess reads only the service, the date it is given and the catalog, which is data embedded
// from data/*.txt (each file documents its sources and how to refresh it). Findings applies it
// to a whole discovery result and looks the products up in an opened OSV snapshot: a match is a
// confirmed "vulnerable" finding only when nmap's evidence pins the distribution package
// (distribution, release and revision); otherwise it is an "unverified" lead, because banners
// keep the upstream version when distributions backport fixes.
package exposure
