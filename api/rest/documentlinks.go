package rest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"github.com/example/wf-engine/core/store"
)

// Document links are wf-engine's answer to createDocumentLink (Camunda's
// in-memory and local stores refuse links; its cloud stores answer their
// provider's presigned URLs): GET /v2/x/documents/{documentId}/content
// with expires (Unix ms) and signature, the HMAC-SHA256 under the server's
// link key (documents.link_secret) of the document id, its content hash and
// the expiry. The route needs no other authentication: whoever holds the
// link may read the document until it expires, and nobody can extend,
// retarget or forge one without the key. Naming the hash makes a link die
// with its document: a new document under the same id has another hash.

// linkPath is the path and query of a link to d that expires at expires.
func (d *documents) linkPath(doc store.Document, expires time.Time) string {
	ms := expires.UnixMilli()
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(ms, 10))
	q.Set("signature", d.sign(doc.DocumentID, doc.ContentHash, ms))
	return "/v2/x/documents/" + url.PathEscape(doc.DocumentID) + "/content?" + q.Encode()
}

// validLink reports whether signature is the link key's signature of doc
// with the expiry; it does not look at the time.
func (d *documents) validLink(doc store.Document, expires int64, signature string) bool {
	got, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(d.sign(doc.DocumentID, doc.ContentHash, expires))
	return hmac.Equal(got, want)
}

// sign is the base64url HMAC-SHA256 of a link's fields; each is
// length-prefixed so that no two field lists sign the same bytes.
func (d *documents) sign(id, hash string, expires int64) string {
	m := hmac.New(sha256.New, d.linkKey)
	for _, f := range []string{"wf-engine document link v1", id, hash, strconv.FormatInt(expires, 10)} {
		_, _ = m.Write([]byte(strconv.Itoa(len(f)) + ":" + f + ";"))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
