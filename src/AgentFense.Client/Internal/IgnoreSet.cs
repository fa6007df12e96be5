using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace AgentFense.Internal;

/// <summary>
/// gitignore-style ignore files (by default <c>.gitignore</c> and <c>.agentfenseignore</c>) of a local tree:
/// each directory's files apply beneath it, the last matching line wins, <c>!</c> re-includes, a trailing
/// <c>/</c> matches directories only, a pattern with a <c>/</c> before its end is anchored at its file's
/// directory. As in git, nothing beneath an ignored directory comes back. <c>.git</c> is always ignored.
/// </summary>
internal sealed class IgnoreSet
{
    private readonly string _root;
    private readonly IReadOnlyList<string> _fileNames;
    private readonly ConcurrentDictionary<string, IReadOnlyList<Line>> _byDirectory = new(StringComparer.Ordinal);

    private sealed record Line(Regex Pattern, bool Negated, bool DirectoryOnly);

    public IgnoreSet(string root, IReadOnlyList<string> fileNames)
    {
        _root = root;
        _fileNames = fileNames;
    }

    /// <summary>True when <paramref name="path"/> (relative, '/'-separated; its parent directories already included) is ignored.</summary>
    public bool IsIgnored(string path, bool isDirectory)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (isDirectory && name == ".git")
            return true;
        var ignored = false;
        var directory = "";
        var parts = path.Split('/');
        for (var depth = 0; depth < parts.Length; depth++)
        {
            var relative = string.Join('/', parts[depth..]);
            foreach (var line in LinesOf(directory))
            {
                if (line.DirectoryOnly && !isDirectory)
                    continue;
                if (line.Pattern.IsMatch(relative))
                    ignored = !line.Negated;
            }
            directory = directory.Length == 0 ? parts[depth] : directory + "/" + parts[depth];
        }
        return ignored;
    }

    private IReadOnlyList<Line> LinesOf(string directory) => _byDirectory.GetOrAdd(directory, d =>
    {
        var lines = new List<Line>();
        foreach (var fileName in _fileNames)
        {
            var file = Path.Combine(_root, d, fileName);
            if (!File.Exists(file))
                continue;
            foreach (var raw in File.ReadLines(file))
            {
                if (Parse(raw) is { } line)
                    lines.Add(line);
            }
        }
        return lines;
    });

    private static Line? Parse(string raw)
    {
        var text = raw.TrimEnd('\r');
        // Trailing spaces are dropped unless escaped.
        while (text.EndsWith(' ') && !text.EndsWith("\\ ", StringComparison.Ordinal))
            text = text[..^1];
        if (text.Length == 0 || text.StartsWith('#'))
            return null;
        var negated = text.StartsWith('!');
        if (negated)
            text = text[1..];
        else if (text.StartsWith("\\!", StringComparison.Ordinal) || text.StartsWith("\\#", StringComparison.Ordinal))
            text = text[1..];
        var directoryOnly = text.EndsWith('/');
        text = text.TrimEnd('/');
        if (text.Length == 0)
            return null;
        var anchored = text.Contains('/', StringComparison.Ordinal);
        text = text.TrimStart('/');
        var body = GlobRegex.Translate(text);
        var pattern = anchored ? "^" + body + "$" : "^(?:.*/)?" + body + "$";
        return new Line(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline), negated, directoryOnly);
    }
}
