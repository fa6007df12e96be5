using System.Runtime.InteropServices;

// C spellings inside Interop (STYLE.md), so the struct is found by its man-page name.
#pragma warning disable CS8981

internal static partial class Interop
{
    internal static partial class Libc
    {
        // asm-generic/ioctls.h
        internal const nuint TCGETS = 0x5401;
        internal const nuint TCSETS = 0x5402;
        internal const nuint TIOCSWINSZ = 0x5414;

        // asm-generic/termbits.h: struct termios is 60 bytes; c_lflag at offset 12.
        internal const int TermiosSize = 60;
        internal const int TermiosLflagOffset = 12;
        internal const uint ECHO = 0x8;

        /// <summary>struct winsize, asm-generic/termios.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct winsize
        {
            public ushort ws_row;
            public ushort ws_col;
            public ushort ws_xpixel;
            public ushort ws_ypixel;
        }

        /// <summary>posix_openpt(3); returns a raw master fd, wrap it at once.</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int posix_openpt(int flags);

        /// <summary>grantpt(3).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int grantpt(SafeHandle fd);

        /// <summary>unlockpt(3).</summary>
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int unlockpt(SafeHandle fd);

        /// <summary>ptsname_r(3); returns an error number, 0 on success.</summary>
        [LibraryImport(Libraries.Libc)]
        internal static unsafe partial int ptsname_r(SafeHandle fd, byte* buf, nuint buflen);
    }
}
