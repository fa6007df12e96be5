using System.Text;

namespace AgentFense.Init;

/// <summary>
/// Finds the end-of-command marker a session shell prints on one stream:
/// <c>\x1f AF token \x1e</c> on stderr, <c>\x1f AF token : status \x1e</c> on stdout.
/// Bytes before it are the command's output; a tail that could be the start of a marker is held
/// back until the next read decides. Everything after the marker is dropped (the shell is idle then).
/// </summary>
internal sealed class MarkerScanner
{
    private const int MaxStatusLength = 12;
    private readonly byte[] _prefix;
    private byte[] _held = [];

    public MarkerScanner(string token)
    {
        _prefix = Encoding.ASCII.GetBytes("\u001fAF" + token);
    }

    public delegate void Emit(ReadOnlySpan<byte> data);

    /// <summary>Scans <paramref name="data"/>; returns true once the marker is complete, with the status it carried (or 0).</summary>
    public bool Feed(ReadOnlySpan<byte> data, Emit emit, out int status)
    {
        status = 0;
        ReadOnlySpan<byte> combined = data;
        if (_held.Length > 0)
        {
            var joined = new byte[_held.Length + data.Length];
            _held.CopyTo(joined, 0);
            data.CopyTo(joined.AsSpan(_held.Length));
            combined = joined;
            _held = [];
        }
        var at = combined.IndexOf(_prefix);
        if (at >= 0)
        {
            emit(combined[..at]);
            var rest = combined[(at + _prefix.Length)..];
            var end = rest.IndexOf((byte)0x1e);
            if (end < 0)
            {
                if (rest.Length >= MaxStatusLength)
                    return true; // malformed: take it as the end anyway
                _held = combined[at..].ToArray();
                return false;
            }
            if (end > 1 && rest[0] == (byte)':')
                int.TryParse(Encoding.ASCII.GetString(rest[1..end]), out status);
            return true;
        }
        var keep = LongestPrefixSuffix(combined);
        emit(combined[..^keep]);
        if (keep > 0)
            _held = combined[^keep..].ToArray();
        return false;
    }

    /// <summary>Drops any held tail (a new command starts).</summary>
    public void Reset() => _held = [];

    private int LongestPrefixSuffix(ReadOnlySpan<byte> data)
    {
        for (var k = Math.Min(_prefix.Length - 1, data.Length); k > 0; k--)
        {
            if (data[^k..].SequenceEqual(_prefix.AsSpan(0, k)))
                return k;
        }
        return 0;
    }
}
