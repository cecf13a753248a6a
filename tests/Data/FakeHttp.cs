using System.Net;

namespace PruningLab.Tests.Data;

/// <summary>An HttpMessageHandler that answers from a function and records the URLs asked for.</summary>
internal sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<string> Requests { get; } = [];

    public static FakeHandler Serving(byte[] body) => new(_ => Ok(body));

    public static FakeHandler Failing() => new(r => throw new Xunit.Sdk.XunitException($"Unexpected download of {r.RequestUri}"));

    public static HttpResponseMessage Ok(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };

    public static HttpResponseMessage Ok(Stream body, long length)
    {
        var content = new StreamContent(body);
        content.Headers.ContentLength = length;
        return new(HttpStatusCode.OK) { Content = content };
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request.RequestUri!.ToString());
        return Task.FromResult(respond(request));
    }
}

/// <summary>A response body that delivers some bytes and then fails, like a dropped connection.</summary>
internal sealed class BreakingStream(byte[] firstPart) : Stream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= firstPart.Length) throw new IOException("connection reset (simulated)");
        int n = Math.Min(count, firstPart.Length - _position);
        Array.Copy(firstPart, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
