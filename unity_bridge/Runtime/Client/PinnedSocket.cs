// wss:// to a server whose certificate is pinned.
//
// ClientWebSocket has Options.RemoteCertificateValidationCallback and it compiles, but mono's
// (6.8, and the class library Unity ships, which comes from it) never calls it: its handshake
// opens `new SslStream(stream)` without the callback, so a self-signed certificate is refused
// whatever the callback says, and ServicePointManager's callback is ignored too. So the pinned
// path does the TLS handshake itself with SslStream (whose callback mono does call), sends the
// HTTP upgrade, and hands the stream to WebSocket.CreateFromStream (.NET Standard 2.1).
using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MuseumGuide
{
    /// <summary>Opens a WebSocket over TLS that accepts only the pinned server certificate.</summary>
    public static class PinnedSocket
    {
        /// <summary>Longest HTTP response head read before giving up on the upgrade.</summary>
        public const int MaxResponseHead = 8 * 1024;
        static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Connect to a wss:// `uri`; throws CertificateMismatchException when the server shows another
        /// certificate (before anything is sent), WebSocketException when the upgrade fails.
        /// Cancelling `stop` closes the socket, which ends a connect or handshake in progress.
        /// </summary>
        public static async Task<WebSocket> ConnectAsync(Uri uri, CertificatePin pin, CancellationToken stop)
        {
            if (uri.Scheme != "wss")
                throw new CertificateMismatchException(NotEncrypted(uri.ToString()));
            var tcp = new TcpClient { NoDelay = true }; // small frames: no Nagle delay
            Stream stream = null;
            try
            {
                using (stop.Register(() => tcp.Close()))
                {
                    await tcp.ConnectAsync(uri.Host, uri.Port).ConfigureAwait(false);
                    stream = await AuthenticateAsync(tcp.GetStream(), uri.Host, pin).ConfigureAwait(false);
                    await UpgradeAsync(stream, uri).ConfigureAwait(false);
                }
                return WebSocket.CreateFromStream(stream, false, null, KeepAlive);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                Close(stream, tcp);
                throw new OperationCanceledException(stop);
            }
            catch (Exception)
            {
                Close(stream, tcp);
                throw;
            }
        }

        /// <summary>What is said when a pin is given for a plain ws:// URL.</summary>
        public static string NotEncrypted(string url)
        {
            return url + " is plain ws://, but a certificate pin was given: use wss:// " +
                "(the guide never falls back to an unencrypted socket)";
        }

        static async Task<Stream> AuthenticateAsync(Stream network, string host, CertificatePin pin)
        {
            string seen = null;
            // The pin replaces the chain and host name checks, as in `guide listen --cert-fingerprint`.
            var tls = new SslStream(network, false, (sender, certificate, chain, errors) =>
            {
                byte[] der = certificate != null ? certificate.GetRawCertData() : null;
                seen = der != null ? CertificatePin.FingerprintOf(der) : "";
                return pin.Accepts(der);
            });
            try
            {
                await tls.AuthenticateAsClientAsync(host).ConfigureAwait(false);
            }
            catch (AuthenticationException) when (seen != null)
            {
                tls.Dispose();
                throw new CertificateMismatchException(seen.Length == 0
                    ? "the server sent no certificate, so it cannot match the pinned " + pin.Fingerprint
                    : pin.MismatchMessage(seen));
            }
            return tls;
        }

        static async Task UpgradeAsync(Stream stream, Uri uri)
        {
            string key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            byte[] request = Encoding.ASCII.GetBytes(UpgradeRequest(uri, key));
            await stream.WriteAsync(request, 0, request.Length).ConfigureAwait(false);
            await stream.FlushAsync().ConfigureAwait(false);
            CheckUpgradeResponse(await ReadHeadAsync(stream).ConfigureAwait(false), key);
        }

        /// <summary>The HTTP/1.1 upgrade request for `uri` with the client's `key`.</summary>
        public static string UpgradeRequest(Uri uri, string key)
        {
            return "GET " + uri.PathAndQuery + " HTTP/1.1\r\n" +
                "Host: " + uri.Authority + "\r\n" +
                "Upgrade: websocket\r\n" +
                "Connection: Upgrade\r\n" +
                "Sec-WebSocket-Key: " + key + "\r\n" +
                "Sec-WebSocket-Version: 13\r\n\r\n";
        }

        /// <summary>Throw WebSocketException unless `head` is a 101 whose Sec-WebSocket-Accept answers `key` (RFC 6455 4.1).</summary>
        public static void CheckUpgradeResponse(string head, string key)
        {
            string[] lines = head.Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length == 0 || !lines[0].StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                throw new WebSocketException("the server refused the WebSocket upgrade: " + (lines.Length > 0 ? lines[0] : "no response"));
            string accept = null;
            foreach (string line in lines)
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line.Substring(0, colon).Trim().Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
                    accept = line.Substring(colon + 1).Trim();
            }
            if (accept != AcceptFor(key))
                throw new WebSocketException("the server's Sec-WebSocket-Accept does not answer our key: not a WebSocket server");
        }

        /// <summary>The Sec-WebSocket-Accept a server must answer `key` with.</summary>
        public static string AcceptFor(string key)
        {
            using (var sha = SHA1.Create())
                return Convert.ToBase64String(sha.ComputeHash(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        }

        // Byte by byte, so that no byte of the first frame is read into the head.
        static async Task<string> ReadHeadAsync(Stream stream)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            while (!EndsWithBlankLine(head))
            {
                if (head.Length >= MaxResponseHead)
                    throw new WebSocketException("the server's upgrade response is longer than " + MaxResponseHead + " bytes");
                if (await stream.ReadAsync(one, 0, 1).ConfigureAwait(false) == 0)
                    throw new WebSocketException("the server closed the connection during the WebSocket upgrade");
                head.Append((char)one[0]);
            }
            return head.ToString();
        }

        static bool EndsWithBlankLine(StringBuilder s)
        {
            int n = s.Length;
            return n >= 4 && s[n - 4] == '\r' && s[n - 3] == '\n' && s[n - 2] == '\r' && s[n - 1] == '\n';
        }

        static void Close(Stream stream, TcpClient tcp)
        {
            if (stream != null) stream.Dispose();
            tcp.Close();
        }
    }
}
