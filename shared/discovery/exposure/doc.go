// Package exposure turns a service seen on the network into what findings need: the names under
// which advisories and lifecycle data know its product, and whether its release branch is past
// its upstream end of life, with nmap's evidence attached.
//
// It is pure: Assess reads only the service, the date it is given and the catalog, which is data
// embedded from data/*.txt (each file documents its sources and how to refresh it).
package exposure
