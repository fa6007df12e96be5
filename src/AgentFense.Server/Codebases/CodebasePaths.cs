using System.Text;

namespace AgentFense.Server.Codebases;

/// <summary>
/// Validation of client paths inside a codebase: relative, '/'-separated, no empty, "." or ".." segment,
/// no NUL, each name at most 255 bytes (NAME_MAX) and the whole at most 4095 bytes (PATH_MAX - 1).
/// </summary>
internal static class CodebasePaths
{
    private const int NameMax = 255;
    private const int PathMax = 4095;

    /// <summary>The segments of <paramref name="path"/>, or false with the reason it is refused.</summary>
    public static bool TryValidate(string path, bool allowRoot, out string[] segments, out string error)
    {
        segments = [];
        error = "";
        if (path.Length == 0)
        {
            if (allowRoot)
                return true;
            error = "the file path is empty";
            return false;
        }
        if (path.Contains('\0', StringComparison.Ordinal))
            return Fail("contains NUL", out error);
        if (path.StartsWith('/'))
            return Fail("is absolute (paths are relative to the codebase root)", out error);
        if (Encoding.UTF8.GetByteCount(path) > PathMax)
            return Fail($"is longer than {PathMax} bytes", out error);
        var parts = path.TrimEnd('/').Split('/');
        foreach (var part in parts)
        {
            if (part.Length == 0 || part == ".")
                return Fail("has an empty or '.' segment", out error);
            if (part == "..")
                return Fail("has a '..' segment", out error);
            if (Encoding.UTF8.GetByteCount(part) > NameMax)
                return Fail($"has a name longer than {NameMax} bytes", out error);
        }
        segments = parts;
        return true;

        bool Fail(string why, out string message)
        {
            message = $"path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' {why}";
            return false;
        }
    }
}
