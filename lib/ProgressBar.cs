using System.Diagnostics;
using System.Globalization;

namespace PruningLab;

/// <summary>
/// A one-line text progress bar for long loops (training epochs, downloads), redrawn at most ten times a second so
/// that drawing never costs measurable time. A null writer makes it silent.
/// </summary>
public sealed class ProgressBar
{
    private const int Width = 30;
    private readonly TextWriter? writer;
    private readonly string label;
    private readonly long? total;
    private readonly Func<long, string> format;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long lastDraw = -100;   // so the first report draws (long.MinValue would overflow the subtraction)

    /// <summary>Starts a bar for <paramref name="total"/> units (unknown if null: only the count is shown).</summary>
    /// <param name="writer">Where to draw; null draws nothing.</param>
    /// <param name="label">Shown before the bar.</param>
    /// <param name="total">Units of work, if known.</param>
    /// <param name="format">Formats a number of units (e.g. bytes as MB); plain numbers by default.</param>
    public ProgressBar(TextWriter? writer, string label, long? total, Func<long, string>? format = null)
    {
        this.writer = writer;
        this.label = label;
        this.total = total is > 0 ? total : null;
        this.format = format ?? (n => n.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Standard error when it is an interactive terminal, else null (no bar in logs).</summary>
    public static TextWriter? Terminal => Console.IsErrorRedirected ? null : Console.Error;

    /// <summary>Formats bytes as megabytes ("12.3 MB").</summary>
    public static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>Redraws the bar if 100 ms have passed since the last draw.</summary>
    public void Report(long done, string? suffix = null)
    {
        if (writer is null) return;
        var now = clock.ElapsedMilliseconds;
        if (now - lastDraw < 100) return;
        lastDraw = now;
        Draw(done, suffix);
    }

    /// <summary>Draws the final state and ends the line.</summary>
    public void Finish(long done, string? suffix = null)
    {
        if (writer is null) return;
        Draw(done, suffix);
        writer.WriteLine();
        writer.Flush();
    }

    private void Draw(long done, string? suffix)
    {
        var elapsed = clock.Elapsed.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
        var text = total is { } all
            ? $"\r{label} [{new string('#', (int)(Width * Math.Clamp((double)done / all, 0, 1))).PadRight(Width, '.')}] {format(done)}/{format(all)} {elapsed} {suffix}"
            : $"\r{label} {format(done)} {elapsed} {suffix}";
        writer!.Write(text);
        writer.Flush();
    }
}
