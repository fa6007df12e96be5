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
/// and cpuacct controllers share a hierarchy (the box is not in a blkio group on v1, so its I/O is not known there).
/// A box without a cgroup (another runtime) reports its memory only.
/// </remarks>
public sealed class BoxStatsReader : IDisposable
{
    private readonly Box _box;
    private readonly StatFile? _memory;
    private readonly StatFile? _cpu;
    private readonly StatFile? _pids;
    private readonly StatFile? _io;
    private readonly bool _cpuInNanoseconds;
    private readonly byte[] _buffer = new byte[4096];

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
            _cpu = new StatFile(Path.Combine(cgroup.Directories[1], "cpuacct.usage"));
            _pids = new StatFile(Path.Combine(cgroup.Directories[2], "pids.current"));
            _cpuInNanoseconds = true;
        }
    }

    /// <summary>The box's counters now.</summary>
    public BoxStats Read()
    {
        if (_memory is null)
            return new BoxStats(SafeMemory(), null, null, null, null);
        long? cpuRaw = _cpuInNanoseconds ? Number(_cpu) : Keyed(_cpu, "usage_usec");
        double? cpu = cpuRaw is { } raw ? raw / (_cpuInNanoseconds ? 1e9 : 1e6) : null;
        long? read = null, written = null;
        if (_io is not null && Text(_io) is { } io)
            (read, written) = (SumField(io, "rbytes="), SumField(io, "wbytes="));
        return new BoxStats(Number(_memory), cpu, Number(_pids), read, written);
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
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
