using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>Builds the exceptions thrown at the API edge; the message names the call, its arguments and the errno.</summary>
internal static class FuseErrors
{
    public static IOException IOException(string call, int errno) =>
        new($"{call} failed: {(Errno)errno} ({errno}) {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    public static Errno LastErrno() => (Errno)Marshal.GetLastPInvokeError();
}
