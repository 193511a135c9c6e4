package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// Files `ahtui serve` keeps in the data folder, next to the database.
const (
	hostKeyName        = "ssh_host_ed25519_key"
	authorizedKeysName = "authorized_keys"
)

// errNoAuthorizedKeys: the allow-list is missing or lists no key.
var errNoAuthorizedKeys = errors.New("no authorised keys")

// loadAuthorizedKeys reads an authorized_keys file: one public key a line,
// blank lines and # comments skipped. A line it cannot read, or one with
// options (from=, command=, restrict…), is an error: `ahtui serve` would
// not apply the options, so it refuses rather than widen what the line
// allows. So is a file others may write to (sshd's StrictModes). A file
// without keys is errNoAuthorizedKeys.
func loadAuthorizedKeys(path string) ([]gossh.PublicKey, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", errNoAuthorizedKeys, path)
	}
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("%s can be changed by others (mode %#o), who could add their keys: `chmod go-w %s`", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []gossh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s, line %d: not a public key (%v)", path, n, err)
		}
		if len(options) > 0 {
			return nil, fmt.Errorf("%s, line %d: has options (%s), which ahtui serve does not apply: remove them, or list the key in a file of its own",
				path, n, options[0])
		}
		keys = append(keys, key)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: %s lists no key", errNoAuthorizedKeys, path)
	}
	return keys, nil
}

// loadOrCreateHostKey returns the server's host key, creating it on first
// start: a new ed25519 key written 0600 (never into the working
// directory, as wish would). An existing key that others can read is
// refused, as sshd refuses one.
func loadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = createHostKey(path)
		created = err == nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, err)
	}
	if !created {
		info, err := os.Stat(path)
		if err != nil {
			return nil, false, fmt.Errorf("host key %s: %w", path, err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("host key %s can be read by others (mode %#o): `chmod 600 %s`", path, info.Mode().Perm(), path)
		}
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, created, nil
}

func createHostKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "ahtui serve host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	// Written whole under a temporary name, then linked into place: two
	// servers starting at once never see half a key, and the second one
	// uses the first one's.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".host-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // created 0600
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	} else if err != nil {
		return nil, err
	}
	return data, nil
}
