package release

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// module is the engine's Go module, which the SBOMs must name.
const module = "github.com/example/wf-engine"

// requiredTargets are the platforms issue 17 asks release binaries for.
var requiredTargets = []string{"linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"}

// commands are the binaries built for every target.
var commands = []string{"wf-engine", "wf"}

// stamp is what make release stamped into the binaries and names them by.
type stamp struct {
	dist, version, commit, date string
	targets                     []string
}

// readStamp reads what make test-release passes: DIST, VERSION, COMMIT,
// DATE and RELEASE_TARGETS. Without DIST the test skips: it checks the
// output of make release, which it does not run itself.
func readStamp(t *testing.T) stamp {
	t.Helper()
	s := stamp{dist: os.Getenv("DIST"), version: os.Getenv("VERSION"), commit: os.Getenv("COMMIT"), date: os.Getenv("DATE"),
		targets: strings.Fields(os.Getenv("RELEASE_TARGETS"))}
	if s.dist == "" {
		t.Skip("DIST is not set: run make release test-release")
	}
	if s.version == "" || s.commit == "" || s.date == "" || len(s.targets) == 0 {
		t.Fatalf("make test-release passes VERSION, COMMIT, DATE and RELEASE_TARGETS; got %+v", s)
	}
	return s
}

// binary is the file name make release gives cmd for target.
func (s stamp) binary(cmd, target string) string {
	osName, arch, _ := strings.Cut(target, "/")
	name := fmt.Sprintf("%s-%s-%s-%s", cmd, s.version, osName, arch)
	if osName == "windows" {
		name += ".exe"
	}
	return name
}

// The Makefile builds at least the platforms the issue asks for.
func TestMakefileNamesEveryRequiredTarget(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RELEASE_TARGETS\s*:?=\s*(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no RELEASE_TARGETS")
	}
	got := strings.Fields(string(m[1]))
	for _, want := range requiredTargets {
		if !slices.Contains(got, want) {
			t.Errorf("RELEASE_TARGETS %v lacks %s", got, want)
		}
	}
}

// Every binary exists and is an executable of its platform; the Linux
// ones are static (no interpreter).
func TestEveryBinaryIsBuiltForItsPlatform(t *testing.T) {
	s := readStamp(t)
	for _, target := range s.targets {
		for _, cmd := range commands {
			name := s.binary(cmd, target)
			t.Run(name, func(t *testing.T) {
				checkPlatform(t, filepath.Join(s.dist, name), target)
			})
		}
	}
}

func checkPlatform(t *testing.T, path, target string) {
	osName, arch, _ := strings.Cut(target, "/")
	switch osName {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
		if f.Machine != want {
			t.Errorf("ELF machine %s, want %s", f.Machine, want)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("dynamically linked (has an interpreter); release binaries are static (CGO_ENABLED=0)")
			}
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[arch]
		if f.Cpu != want {
			t.Errorf("Mach-O CPU %s, want %s", f.Cpu, want)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[arch]
		if f.Machine != want {
			t.Errorf("PE machine %#x, want %#x", f.Machine, want)
		}
	default:
		t.Fatalf("no check for %s", target)
	}
}

// SHA256SUMS lists every artefact of dist/ once, in sha256sum's format,
// and every sum is right.
func TestChecksumsVerify(t *testing.T) {
	s := readStamp(t)
	f, err := os.Open(filepath.Join(s.dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	line := regexp.MustCompile(`^([0-9a-f]{64})  ([^/\s]+)$`)
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("not a sha256sum line: %q", sc.Text())
		}
		if _, dup := listed[m[2]]; dup {
			t.Errorf("%s is listed twice", m[2])
		}
		listed[m[2]] = m[1]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(s.dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" {
			continue
		}
		if _, ok := listed[e.Name()]; !ok {
			t.Errorf("%s is not in SHA256SUMS", e.Name())
		}
	}
	for _, target := range s.targets {
		for _, cmd := range commands {
			if _, ok := listed[s.binary(cmd, target)]; !ok {
				t.Errorf("SHA256SUMS lacks %s", s.binary(cmd, target))
			}
		}
	}
	for name, want := range listed {
		if got := sum(t, filepath.Join(s.dist, name)); got != want {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s", name, got, want)
		}
	}
}

func sum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path) // #nosec G304 -- an artefact of dist/
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The binaries of this machine's platform print the stamped version,
// commit and date.
func TestBinariesPrintTheStampedVersion(t *testing.T) {
	s := readStamp(t)
	here := runtime.GOOS + "/" + runtime.GOARCH
	if !slices.Contains(s.targets, here) {
		t.Skipf("no release binary for %s, where the test runs", here)
	}
	for _, cmd := range commands {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, filepath.Join(s.dist, s.binary(cmd, here)), "--version").CombinedOutput() // #nosec G204 -- a release binary
		cancel()
		want := fmt.Sprintf("%s %s (commit %s, built %s)\n", cmd, s.version, s.commit, s.date)
		if err != nil || string(out) != want {
			t.Errorf("%s --version: %v, printed %q, want %q", cmd, err, out, want)
		}
	}
}

// Each binary has a CycloneDX SBOM (JSON) made for its platform, whose
// subject is the engine's module and which lists the modules linked in.
func TestSBOMs(t *testing.T) {
	s := readStamp(t)
	links := map[string]string{"wf-engine": "github.com/gin-gonic/gin", "wf": "github.com/spf13/cobra"}
	for _, target := range s.targets {
		for _, cmd := range commands {
			name := strings.TrimSuffix(s.binary(cmd, target), ".exe") + ".cdx.json"
			t.Run(name, func(t *testing.T) { checkSBOM(t, filepath.Join(s.dist, name), target, links[cmd]) })
		}
	}
}

func checkSBOM(t *testing.T, path, target, dependency string) {
	b, err := os.ReadFile(path) // #nosec G304 -- an artefact of dist/
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component component `json:"component"`
		} `json:"metadata"`
		Components []component `json:"components"`
	}
	if err := json.Unmarshal(b, &bom); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion == "" {
		t.Errorf("bomFormat %q, specVersion %q; want a CycloneDX document", bom.BOMFormat, bom.SpecVersion)
	}
	subject := bom.Metadata.Component
	if subject.Name != module || !strings.HasPrefix(subject.PURL, "pkg:golang/"+module+"@") {
		t.Errorf("the SBOM's subject is %q (%s), want %s", subject.Name, subject.PURL, module)
	}
	osName, arch, _ := strings.Cut(target, "/")
	if !strings.Contains(subject.PURL, "goos="+osName) || !strings.Contains(subject.PURL, "goarch="+arch) {
		t.Errorf("the SBOM's subject %s is not for %s", subject.PURL, target)
	}
	if len(bom.Components) == 0 {
		t.Fatal("the SBOM lists no components")
	}
	names := make([]string, 0, len(bom.Components))
	for _, c := range bom.Components {
		if c.Name == "" || c.Version == "" || !strings.HasPrefix(c.PURL, "pkg:golang/") {
			t.Errorf("component %+v lacks a name, version or Go package URL", c)
		}
		names = append(names, c.Name)
	}
	if !slices.Contains(names, dependency) {
		t.Errorf("the SBOM does not list %s, which the binary links", dependency)
	}
}

// component is what the test reads of a CycloneDX component.
type component struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
}
