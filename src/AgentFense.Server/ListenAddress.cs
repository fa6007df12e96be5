using System.Globalization;
using System.Net;

namespace AgentFense.Server;

/// <summary>Parses <c>HOST:PORT</c> listen addresses (<c>127.0.0.1:9000</c>, <c>[::1]:9000</c>, <c>localhost:9000</c>).</summary>
public static class ListenAddress
{
    /// <summary>Parses <paramref name="text"/>; false (with a reason) when it is not an IP or <c>localhost</c> with a port.</summary>
    public static bool TryParse(string text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        error = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{text}' is not HOST:PORT";
            return false;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            endPoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }
        if (!IPAddress.TryParse(host, out var address))
        {
            error = $"'{host}' is not an IP address or localhost";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Whether <paramref name="endPoint"/> is reachable only from this host.</summary>
    public static bool IsLoopback(IPEndPoint endPoint) => IPAddress.IsLoopback(endPoint.Address);
}
