using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>
/// Identifies the host inode behind a descriptor from /proc/self/fdinfo/N ("mnt_id:" and "ino:", Linux 5.14+)
/// without a stat call: enough to tell whether two backing files are the same file.
/// </summary>
internal static class FileIdentity
{
    public static bool TryGet(SafeFileHandle file, out (long MountId, long Ino) identity)
    {
        identity = default;
        Span<byte> buffer = stackalloc byte[512];
        int length;
        try
        {
            using var info = File.OpenHandle($"/proc/self/fdinfo/{file.DangerousGetHandle()}");
            length = RandomAccess.Read(info, buffer, 0);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        var text = buffer[..length];
        return TryField(text, "mnt_id:"u8, out identity.MountId) & TryField(text, "ino:"u8, out identity.Ino);
    }

    private static bool TryField(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        while (!text.IsEmpty)
        {
            int eol = text.IndexOf((byte)'\n');
            var line = eol < 0 ? text : text[..eol];
            text = eol < 0 ? default : text[(eol + 1)..];
            if (!line.StartsWith(key))
                continue;
            var digits = line[key.Length..].TrimStart("\t "u8);
            return Utf8Parser.TryParse(digits, out value, out _);
        }
        return false;
    }
}
