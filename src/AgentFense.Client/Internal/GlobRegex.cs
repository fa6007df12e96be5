using System.Text;
using System.Text.RegularExpressions;

namespace AgentFense.Internal;

/// <summary>
/// Globs as anchored regular expressions, in the dialect the rules and gitignore share: <c>*</c> and <c>?</c>
/// stay within a segment, <c>**</c> as a whole segment spans any number of them (zero included), classes
/// <c>[a-z]</c>, <c>[!x]</c>/<c>[^x]</c>, and <c>\</c> escapes.
/// </summary>
internal static class GlobRegex
{
    /// <summary>The expression of <paramref name="glob"/> (no leading '/'), matching a whole relative path.</summary>
    public static Regex Compile(string glob) => new("^" + Translate(glob) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    /// <summary>The body of the expression (unanchored).</summary>
    public static string Translate(string glob)
    {
        var sb = new StringBuilder();
        var segments = glob.Split('/');
        for (var s = 0; s < segments.Length; s++)
        {
            var segment = segments[s];
            var last = s == segments.Length - 1;
            if (segment == "**")
            {
                // "a/**" also matches "a"; "**/b" matches "b"; "a/**/b" matches "a/b".
                if (last)
                    sb.Append(s == 0 ? ".*" : "(?:/.*)?");
                else
                    sb.Append(s == 0 ? "(?:.*/)?" : "(?:/.*)?/");
                continue;
            }
            if (s > 0 && (segments[s - 1] != "**"))
                sb.Append('/');
            AppendSegment(sb, segment);
        }
        return sb.ToString();
    }

    private static void AppendSegment(StringBuilder sb, string segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '*':
                    while (i + 1 < segment.Length && segment[i + 1] == '*')
                        i++;
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '\\' when i + 1 < segment.Length:
                    sb.Append(Regex.Escape(segment[++i].ToString()));
                    break;
                case '[':
                    var end = segment.IndexOf(']', i + 2 <= segment.Length ? i + 2 : i + 1);
                    if (end < 0)
                    {
                        sb.Append("\\[");
                        break;
                    }
                    var body = segment[(i + 1)..end];
                    var negated = body.StartsWith('!') || body.StartsWith('^');
                    if (negated)
                        body = body[1..];
                    sb.Append(negated ? "[^/" : "[").Append(body.Replace("\\", "\\\\").Replace("[", "\\[")).Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
    }
}
