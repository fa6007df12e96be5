internal static partial class Interop
{
    /// <summary>Names of the native libraries the Interop sources import from.</summary>
    internal static class Libraries
    {
        /// <summary>glibc; resolved by the loader as libc.so.6.</summary>
        internal const string Libc = "libc";
    }
}
