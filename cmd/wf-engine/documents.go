package main

import "github.com/spf13/pflag"

// DocumentsConfig configures Camunda's document API (/v2/documents), whose
// documents the store keeps in its database.
type DocumentsConfig struct {
	// MaxSize bounds one document's content in bytes; larger uploads get
	// 413.
	MaxSize int64 `koanf:"max_size"`
	// LinkSecret is the key that signs document links (createDocumentLink),
	// at least 32 bytes; every node of one database needs the same. Empty:
	// a random key per process, so that links end with a restart and work
	// only on the node that made them.
	LinkSecret string `koanf:"link_secret"`
}

// minDocumentLinkSecret is the shortest link secret: 256 bits of HMAC key.
const minDocumentLinkSecret = 32

func defaultDocumentsConfig() DocumentsConfig {
	return DocumentsConfig{MaxSize: 10 << 20}
}

func documentsFlags(fs *pflag.FlagSet, d DocumentsConfig) {
	fs.Int64("documents.max_size", d.MaxSize, "largest document in bytes (413 beyond)")
	fs.String("documents.link_secret", d.LinkSecret, "key (at least 32 bytes) that signs document links; the same on every node (empty: random per process), best as WF_DOCUMENTS_LINK_SECRET")
}

// validate adds what is wrong with the documents configuration.
func (c DocumentsConfig) validate(add func(format string, args ...any)) {
	if c.MaxSize < 1 || c.MaxSize > 1<<30 {
		add("documents.max_size: must be between 1 and 1073741824 (1 GiB), got %d", c.MaxSize)
	}
	if c.LinkSecret != "" && len(c.LinkSecret) < minDocumentLinkSecret {
		add("documents.link_secret: must be at least %d bytes, got %d", minDocumentLinkSecret, len(c.LinkSecret))
	}
}
