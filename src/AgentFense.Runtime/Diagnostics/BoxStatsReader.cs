using System.Globalization;
using System.Text;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;
using AgentFense.Runtime.Cgroups;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Runtime.Diagnostics;

/// <summary>
/// Reads a box's counters from its cgroup through file handles opened once and re-read at offset 0 (cgroupfs
/// regenerates a file's content on each read from the start), so a metrics scrape over hundreds of boxes costs
/// a few preads each and no path walks. Not thread-safe: one scrape at a time per reader.
/// </summary>
/// <remarks>
/// Files: v2 <c>memory.current</c>, <c>cpu.stat</c> (usage_usec), <c>pids.current</c>, <c>io.stat</c> (rbytes, wbytes
/// summed over devices); v1 <c>memory.usage_in_bytes</c>, <c>pids.current</c> and <c>cpuacct.usage</c> when the cpu
/// and cpuacct controllers share a hierarchy; otherwise the CPU time is summed from <c>/proc/PID/stat</c> of the
/// box's processes (utime + stime + cutime + cstime: a reaped process's time lives on in its reaper's cutime, so
/// every CPU second is counted once). The box is not in a blkio group on v1, so its I/O is not known there.
/// A box without a cgroup (another runtime) reports its memory only.
/// </remarks>
public sealed class BoxStatsReader : IDisposable
{
    private readonly Box _box;
    private readonly StatFile? _memory;
    private readonly StatFile? _cpu;
    private readonly StatFile? _pids;
    private readonly StatFile? _io;
    private readonly StatFile? _procs;
    private readonly Dictionary<int, SafeFileHandle> _processStats = [];
    private readonly bool _cpuInNanoseconds;
    private readonly byte[] _buffer = new byte[4096];
    private BoxStats? _last;
    private long _lastTimestamp;

    /// <summary>Prepares to read <paramref name="box"/>'s counters (files are opened at the first read).</summary>
    public BoxStatsReader(Box box)
    {
        ArgumentNullException.ThrowIfNull(box);
        _box = box;
        if ((box as BubblewrapBox)?.Cgroup is not { } cgroup)
            return;
        if (cgroup is CgroupV2)
        {
            var directory = cgroup.Directories[0];
            _memory = new StatFile(Path.Combine(directory, "memory.current"));
            _cpu = new StatFile(Path.Combine(directory, "cpu.stat"));
            _pids = new StatFile(Path.Combine(directory, "pids.current"));
            _io = new StatFile(Path.Combine(directory, "io.stat"));
        }
        else if (cgroup.Directories.Count == 3)
        {
            _memory = new StatFile(Path.Combine(cgroup.Directories[0], "memory.usage_in_bytes"));
            var cpuacct = Path.Combine(cgroup.Directories[1], "cpuacct.usage");
            if (File.Exists(cpuacct))
                _cpu = new StatFile(cpuacct);
            else
                _procs = new StatFile(Path.Combine(cgroup.Directories[2], "cgroup.procs"));
            _pids = new StatFile(Path.Combine(cgroup.Directories[2], "pids.current"));
            _cpuInNanoseconds = true;
        }
    }

    /// <summary>
    /// The last reading if it is younger than <paramref name="maxAge"/>, else a new one: one collection asks for several
    /// instruments of the same box, and each file should be read once per collection.
    /// </summary>
    public BoxStats Read(TimeSpan maxAge)
    {
        if (_last is { } last && System.Diagnostics.Stopwatch.GetElapsedTime(_lastTimestamp) < maxAge)
            return last;
        var now = Read();
        (_last, _lastTimestamp) = (now, System.Diagnostics.Stopwatch.GetTimestamp());
        return now;
    }

    /// <summary>The box's counters now.</summary>
    public BoxStats Read()
    {
        if (_memory is null)
            return new BoxStats(SafeMemory(), null, null, null, null);
        long? cpuRaw = _cpuInNanoseconds ? Number(_cpu) : Keyed(_cpu, "usage_usec");
        double? cpu = cpuRaw is { } raw ? raw / (_cpuInNanoseconds ? 1e9 : 1e6) : _procs is not null ? ProcessCpuSeconds() : null;
        long? read = null, written = null;
        if (_io is not null && Text(_io) is { } io)
            (read, written) = (SumField(io, "rbytes="), SumField(io, "wbytes="));
        return new BoxStats(Number(_memory), cpu, Number(_pids), read, written);
    }

    /// <summary>CPU seconds of the box's live processes and of everything they reaped (v1 without cpuacct).</summary>
    private double? ProcessCpuSeconds()
    {
        if (Text(_procs!) is not { } procs)
            return null;
        long ticks = 0;
        var alive = new HashSet<int>();
        foreach (var line in procs.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                continue;
            alive.Add(pid);
            ticks += ProcessTicks(pid);
        }
        foreach (var gone in _processStats.Keys.Where(pid => !alive.Contains(pid)).ToList())
        {
            _processStats[gone].Dispose();
            _processStats.Remove(gone);
        }
        // USER_HZ, the unit of /proc/PID/stat times, is 100 on every architecture Linux exposes to user space.
        return ticks / 100.0;
    }

    /// <summary>utime + stime + cutime + cstime of one process, through a handle kept while the process lives.</summary>
    private long ProcessTicks(int pid)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if (!_processStats.TryGetValue(pid, out var handle))
                    _processStats[pid] = handle = File.OpenHandle($"/proc/{pid}/stat");
                var read = RandomAccess.Read(handle, _buffer, 0);
                var stat = Encoding.ASCII.GetString(_buffer, 0, read);
                // Fields after the command name, which is in parentheses and may hold spaces: state is field 3,
                // utime..cstime are fields 14..17 (man 5 proc).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                long ticks = 0;
                for (var i = 11; i <= 14 && i < fields.Length; i++)
                    ticks += long.Parse(fields[i], NumberStyles.Integer, CultureInfo.InvariantCulture);
                return ticks;
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                // The process ended (its time is now in its reaper's cutime), or its pid was reused: open afresh once.
                if (_processStats.Remove(pid, out var stale))
                    stale.Dispose();
            }
        }
        return 0;
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        _procs?.Dispose();
        foreach (var handle in _processStats.Values)
            handle.Dispose();
        _processStats.Clear();
        _memory?.Dispose();
        _cpu?.Dispose();
        _pids?.Dispose();
        _io?.Dispose();
    }

    private long? SafeMemory()
    {
        try
        {
            return _box.MemoryUsageBytes;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return null;
        }
    }

    private long? Number(StatFile? file) =>
        file is not null && Text(file) is { } text && long.TryParse(text.AsSpan().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private long? Keyed(StatFile? file, string key)
    {
        if (file is null || Text(file) is not { } text)
            return null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ' '
                && long.TryParse(line.AsSpan(key.Length + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    /// <summary>Sums <c>KEY=N</c> fields over every device line of io.stat.</summary>
    private static long SumField(string text, string key)
    {
        long sum = 0;
        var index = 0;
        while ((index = text.IndexOf(key, index, StringComparison.Ordinal)) >= 0)
        {
            index += key.Length;
            var end = index;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
                end++;
            if (long.TryParse(text.AsSpan(index, end - index), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                sum += value;
        }
        return sum;
    }

    private string? Text(StatFile file)
    {
        var read = file.Read(_buffer);
        return read < 0 ? null : Encoding.ASCII.GetString(_buffer, 0, read);
    }

    /// <summary>One control file, opened at the first read; a file that cannot be opened is not tried again.</summary>
    private sealed class StatFile(string path) : IDisposable
    {
        private SafeFileHandle? _handle;
        private bool _failed;

        public int Read(byte[] buffer)
        {
            if (_failed)
                return -1;
            try
            {
                _handle ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read);
                return RandomAccess.Read(_handle, buffer, 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Absent (controller not there, cgroup removed as the box stops): report nothing from now on.
                _failed = true;
                return -1;
            }
        }

        public void Dispose() => _handle?.Dispose();
    }
}
