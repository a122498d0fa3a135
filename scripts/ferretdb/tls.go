package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// With --tls-dir the listener speaks TLS only, as Amazon DocumentDB does with tls=enabled: a
// client must trust the server's CA (DIR/ca.pem, the stand-in for DocumentDB's
// global-bundle.pem). The CA and a server certificate for 127.0.0.1/localhost are generated into
// DIR when DIR/server.pem is missing.
var tlsDir = flag.String("tls-dir", "", "serve TLS only, with DIR/server.pem and DIR/server-key.pem (generated with DIR/ca.pem when missing)")

func listenerConfig(listen string) (ferretdb.ListenerConfig, error) {
	if *tlsDir == "" {
		return ferretdb.ListenerConfig{TCP: listen}, nil
	}
	dir, err := filepath.Abs(*tlsDir)
	if err != nil {
		return ferretdb.ListenerConfig{}, fmt.Errorf("--tls-dir %q: %w", *tlsDir, err)
	}
	cert, key := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	if _, err := os.Stat(cert); os.IsNotExist(err) {
		if err := generateCertificates(dir); err != nil {
			return ferretdb.ListenerConfig{}, fmt.Errorf("--tls-dir %q: %w", *tlsDir, err)
		}
	}
	return ferretdb.ListenerConfig{TLS: listen, TLSCertFile: cert, TLSKeyFile: key}, nil
}

func writePEM(file, kind string, der []byte, mode os.FileMode) error {
	return os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), mode)
}

func generateCertificates(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "movies test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	server := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, server, ca, &serverKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(serverKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER, 0o644); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "server.pem"), "CERTIFICATE", serverDER, 0o644); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "server-key.pem"), "EC PRIVATE KEY", keyDER, 0o600)
}
