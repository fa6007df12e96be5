namespace AgentFense.Engine.Files;

/// <summary>A path in a sandbox's view, split into checked components (no '.', no '..', none empty).</summary>
internal sealed class ViewPath
{
    private ViewPath(string[] segments)
    {
        Segments = segments;
        Display = string.Join('/', segments);
    }

    /// <summary>The components, root first; empty for the root.</summary>
    public string[] Segments { get; }

    /// <summary>The components joined by '/', as errors and entries name the path.</summary>
    public string Display { get; }

    /// <summary>The components of the parent directory.</summary>
    public string[] Parent => Segments[..^1];

    /// <summary>The last component.</summary>
    public string Name => Segments[^1];

    /// <summary>Checks and splits <paramref name="path"/>; the root ("", "/", ".") only when <paramref name="allowRoot"/>.</summary>
    /// <exception cref="ViewFileException">With <see cref="ViewFileError.InvalidPath"/>.</exception>
    public static ViewPath Parse(string path, bool allowRoot)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ViewFileException(ViewFileError.InvalidPath, path, "the path contains NUL");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Any(s => s == ".." || System.Text.Encoding.UTF8.GetByteCount(s) > 255))
            throw new ViewFileException(ViewFileError.InvalidPath, path, $"path '{path}' is not valid ('..' or a name over 255 bytes)");
        if (segments.Length == 0 && !allowRoot)
            throw new ViewFileException(ViewFileError.InvalidPath, path, "the path names no file");
        return new ViewPath(segments);
    }
}
