// Package uitest drives the browser app in headless Chromium against a real embedded
// cluster. It holds only tests.
package uitest
