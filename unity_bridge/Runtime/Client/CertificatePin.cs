// The pinned server certificate: `guide serve --tls` makes a self-signed certificate and prints its
// SHA-256 fingerprint; a headset that pins it trusts that one certificate and nothing else (no CA
// chain, no host name check), the way `guide listen --cert-fingerprint` does. Pure: no sockets.
using System;
using System.Security.Cryptography;
using System.Text;

namespace MuseumGuide
{
    /// <summary>The server certificate is not the pinned one (or the pin is unusable); never retried.</summary>
    public sealed class CertificateMismatchException : Exception
    {
        public CertificateMismatchException(string message) : base(message) { }
    }

    /// <summary>A SHA-256 certificate fingerprint to accept, and the check of a server's DER certificate against it.</summary>
    public sealed class CertificatePin
    {
        const int DigestBytes = 32;

        /// <summary>The pin as `guide serve --tls` prints it: upper-case hex pairs joined by colons.</summary>
        public string Fingerprint { get; private set; }

        CertificatePin(string fingerprint) { Fingerprint = fingerprint; }

        /// <summary>
        /// The pin in `text` (any case, with or without colons or spaces); null for an empty text (use the
        /// system trust store). Throws CertificateMismatchException when it is not 64 hex digits.
        /// </summary>
        public static CertificatePin Parse(string text)
        {
            if (string.IsNullOrEmpty(text) || text.Trim().Length == 0) return null;
            var digits = new StringBuilder(2 * DigestBytes);
            foreach (char c in text)
            {
                if (c == ':' || c == ' ') continue;
                if (!Uri.IsHexDigit(c)) { digits = null; break; }
                digits.Append(char.ToUpperInvariant(c));
            }
            if (digits == null || digits.Length != 2 * DigestBytes)
                throw new CertificateMismatchException(
                    "'" + text.Trim() + "' is not a SHA-256 certificate fingerprint: expected 64 hex digits, colons allowed, " +
                    "as `guide serve --tls` prints it");
            return new CertificatePin(Pairs(digits.ToString()));
        }

        /// <summary>The fingerprint of a DER certificate, in the pin's format.</summary>
        public static string FingerprintOf(byte[] certificateDer)
        {
            using (var sha = SHA256.Create())
                return Pairs(BitConverter.ToString(sha.ComputeHash(certificateDer)).Replace("-", ""));
        }

        /// <summary>Whether the server's DER certificate is the pinned one.</summary>
        public bool Accepts(byte[] certificateDer)
        {
            return certificateDer != null && certificateDer.Length > 0 && FingerprintOf(certificateDer) == Fingerprint;
        }

        /// <summary>Throw CertificateMismatchException, saying what the server sent, unless it is the pinned certificate.</summary>
        public void Check(byte[] certificateDer)
        {
            if (Accepts(certificateDer)) return;
            if (certificateDer == null || certificateDer.Length == 0)
                throw new CertificateMismatchException(
                    "the server sent no certificate, so it cannot match the pinned " + Fingerprint);
            throw new CertificateMismatchException(MismatchMessage(FingerprintOf(certificateDer)));
        }

        /// <summary>What the visitor's log and status line say when the server shows another certificate.</summary>
        public string MismatchMessage(string actual)
        {
            return "the server's certificate SHA-256 " + actual + " does not match the pinned " + Fingerprint +
                ": this is not the guide server you trusted (or its certificate was remade); " +
                "copy the fingerprint `guide serve --tls` printed into CertificateSha256";
        }

        static string Pairs(string hex)
        {
            var sb = new StringBuilder(hex.Length * 3 / 2);
            for (int i = 0; i < hex.Length; i += 2)
            {
                if (i > 0) sb.Append(':');
                sb.Append(hex, i, 2);
            }
            return sb.ToString();
        }
    }
}
