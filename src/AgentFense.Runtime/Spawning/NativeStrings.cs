using System.Runtime.InteropServices;
using System.Text;

namespace AgentFense.Runtime.Spawning;

/// <summary>
/// NUL-terminated UTF-8 strings and NULL-terminated string tables in native memory, built before
/// posix_spawn (nothing managed may run between fork and exec). Every block is added to the caller's
/// list, which frees them all after the spawn.
/// </summary>
internal static unsafe class NativeStrings
{
    /// <summary>One string as a native <c>char*</c>.</summary>
    public static nint Native(string value, List<nint> owned)
    {
        var size = Encoding.UTF8.GetByteCount(value);
        var p = (byte*)NativeMemory.Alloc((nuint)size + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, size));
        p[size] = 0;
        owned.Add((nint)p);
        return (nint)p;
    }

    /// <summary>A <c>char*[]</c> ending in NULL (argv, envp).</summary>
    public static nint Table(IReadOnlyList<string> values, List<nint> owned)
    {
        var table = (nint*)NativeMemory.Alloc((nuint)((values.Count + 1) * sizeof(nint)));
        owned.Add((nint)table);
        for (var i = 0; i < values.Count; i++)
            table[i] = Native(values[i], owned);
        table[values.Count] = 0;
        return (nint)table;
    }
}
