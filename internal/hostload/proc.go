package hostload

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// cpuStat is what one reading of /proc/stat keeps: cumulative CPU time of all
// CPUs in clock ticks, and the tasks runnable at that instant.
type cpuStat struct {
	busy    uint64 // total minus idle and iowait
	total   uint64 // user+nice+system+idle+iowait+irq+softirq+steal (guest time is already in user and nice)
	running uint32 // procs_running, the reader included
	cpus    uint16 // cpuN lines: the host's online CPUs
}

// parseStat parses the text of /proc/stat: the aggregate "cpu " line, the
// "cpuN" lines and "procs_running". Fields a kernel does not print (before
// 2.6.11 there is no steal, before 2.6 no iowait) count as zero. It reads
// nothing else and allocates only to fail.
func parseStat(b []byte) (cpuStat, error) {
	var s cpuStat
	var haveCPU, haveRunning bool
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		key, rest := line, []byte(nil)
		if i := bytes.IndexAny(line, " \t"); i >= 0 {
			key, rest = line[:i], line[i:]
		}
		switch {
		case string(key) == "cpu":
			var f [8]uint64 // user nice system idle iowait irq softirq steal
			n, err := parseFields(rest, f[:])
			if err != nil {
				return cpuStat{}, errors.New("parse cpu line: " + err.Error())
			}
			if n < 4 {
				return cpuStat{}, errors.New("parse cpu line: fewer than 4 fields")
			}
			for _, v := range f {
				if s.total+v < s.total {
					return cpuStat{}, errors.New("parse cpu line: total out of range")
				}
				s.total += v
			}
			s.busy = s.total - f[3] - f[4]
			haveCPU = true
		case len(key) > 3 && string(key[:3]) == "cpu" && isDigit(key[3]):
			if s.cpus < 1<<16-1 {
				s.cpus++
			}
		case string(key) == "procs_running":
			v, err := parseUint(bytes.TrimSpace(rest))
			if err != nil || v > 1<<32-1 {
				return cpuStat{}, errors.New("parse procs_running: not a count")
			}
			s.running = uint32(v)
			haveRunning = true
		}
	}
	switch {
	case !haveCPU:
		return cpuStat{}, errors.New("parse stat: no cpu line")
	case !haveRunning:
		return cpuStat{}, errors.New("parse stat: no procs_running line")
	}
	return s, nil
}

// parsePressure parses the text of /proc/pressure/cpu and returns the "some"
// line's total: the cumulative microseconds in which at least one runnable
// task waited for a CPU.
func parsePressure(b []byte) (uint64, error) {
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		if !bytes.HasPrefix(line, []byte("some ")) {
			continue
		}
		i := bytes.Index(line, []byte(" total="))
		if i < 0 {
			return 0, errors.New("parse pressure: no total in some line")
		}
		v := line[i+len(" total="):]
		if end := bytes.IndexAny(v, " \t"); end >= 0 {
			v = v[:end]
		}
		total, err := parseUint(v)
		if err != nil {
			return 0, errors.New("parse pressure total: " + err.Error())
		}
		return total, nil
	}
	return 0, errors.New("parse pressure: no some line")
}

// parseFields parses the space-separated unsigned numbers of b into f, up to
// len(f) of them, and returns how many it parsed.
func parseFields(b []byte, f []uint64) (int, error) {
	n := 0
	for n < len(f) {
		b = bytes.TrimLeft(b, " \t")
		if len(b) == 0 {
			break
		}
		end := bytes.IndexAny(b, " \t")
		if end < 0 {
			end = len(b)
		}
		v, err := parseUint(b[:end])
		if err != nil {
			return n, err
		}
		f[n] = v
		n++
		b = b[end:]
	}
	return n, nil
}

// parseUint parses a decimal unsigned number without allocating (strconv
// wants a string).
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty number")
	}
	var v uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, errors.New("not a number")
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, errors.New("number out of range")
		}
		v = v*10 + d
	}
	return v, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// procReader reads the /proc files of one root, reusing its buffer. It is not
// safe for concurrent use.
type procReader struct {
	statPath     string
	pressurePath string
	buf          []byte
}

// newProcReader reads the files under root: "/proc", or a directory of
// captured files in tests.
func newProcReader(root string) *procReader {
	return &procReader{
		statPath:     filepath.Join(root, "stat"),
		pressurePath: filepath.Join(root, "pressure", "cpu"),
	}
}

// stat reads and parses root/stat; false if it cannot.
func (p *procReader) stat() (cpuStat, bool) {
	b, err := p.read(p.statPath)
	if err != nil {
		return cpuStat{}, false
	}
	s, err := parseStat(b)
	return s, err == nil
}

// pressure reads and parses root/pressure/cpu; false if it cannot.
func (p *procReader) pressure() (uint64, bool) {
	b, err := p.read(p.pressurePath)
	if err != nil {
		return 0, false
	}
	v, err := parsePressure(b)
	return v, err == nil
}

// read returns the whole of the file at path, in p's buffer, valid until the
// next read. /proc files report size 0, so it reads until EOF.
func (p *procReader) read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if p.buf == nil {
		p.buf = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(p.buf) {
			p.buf = append(p.buf, make([]byte, len(p.buf))...)
		}
		m, err := f.Read(p.buf[n:])
		n += m
		if err == io.EOF {
			return p.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}
