using System.Diagnostics;

namespace PruningLab.Data;

/// <summary>
/// A one-line text progress bar. Redraws at most ten times a second because a download calls
/// <see cref="Report"/> thousands of times and a terminal cannot keep up with more.
/// </summary>
public sealed class DownloadProgress
{
    private const int Width = 30;
    private readonly TextWriter? _writer;
    private readonly string _label;
    private readonly long? _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;

    /// <summary>Creates a bar for <paramref name="label"/>; a null <paramref name="writer"/> makes it silent.</summary>
    public DownloadProgress(TextWriter? writer, string label, long? total)
    {
        _writer = writer;
        _label = label;
        _total = total is > 0 ? total : null;
    }

    /// <summary>
    /// The writer to use: null when <paramref name="quiet"/>, else <paramref name="explicitWriter"/>,
    /// else stderr only if it is a terminal (so logs and CI output stay clean).
    /// </summary>
    public static TextWriter? ChooseWriter(bool quiet, TextWriter? explicitWriter) =>
        quiet ? null : explicitWriter ?? (Console.IsErrorRedirected ? null : Console.Error);

    /// <summary>Updates the bar to <paramref name="done"/> bytes (throttled).</summary>
    public void Report(long done)
    {
        if (_writer is null) return;
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 100) return;
        _lastDraw = now;
        Draw(done);
    }

    /// <summary>Draws the final state and ends the line.</summary>
    public void Finish(long done)
    {
        if (_writer is null) return;
        Draw(done);
        _writer.WriteLine();
        _writer.Flush();
    }

    private void Draw(long done)
    {
        string text = _total is { } total
            ? $"\r{_label} [{new string('#', (int)(Width * Math.Min(1.0, (double)done / total))).PadRight(Width, '.')}] {Mb(done)}/{Mb(total)} MB"
            : $"\r{_label} {Mb(done)} MB";
        _writer!.Write(text);
        _writer.Flush();
    }

    private static string Mb(long bytes) => (bytes / 1_048_576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
