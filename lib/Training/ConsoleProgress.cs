using System.Diagnostics;

namespace PruningLab.Training;

/// <summary>
/// A text progress bar on standard error for long loops (training epochs, downloads), redrawn at most ten times
/// a second so that drawing never costs measurable time.
/// </summary>
public sealed class ConsoleProgress
{
    private readonly string label;
    private readonly long total;
    private readonly Stopwatch sinceDraw = Stopwatch.StartNew();
    private readonly Stopwatch elapsed = Stopwatch.StartNew();

    /// <summary>Starts a bar for <paramref name="total"/> units of work.</summary>
    public ConsoleProgress(string label, long total)
    {
        this.label = label;
        this.total = Math.Max(1, total);
    }

    /// <summary>Whether standard error is an interactive terminal (a bar would be readable there).</summary>
    public static bool IsInteractive => !Console.IsErrorRedirected;

    /// <summary>Redraws the bar if 100 ms have passed since the last draw (or when done).</summary>
    public void Report(long done, string? suffix = null)
    {
        if (done < total && sinceDraw.ElapsedMilliseconds < 100) return;
        sinceDraw.Restart();
        const int width = 30;
        var fraction = Math.Clamp(done / (double)total, 0, 1);
        var filled = (int)Math.Round(fraction * width);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {elapsed.Elapsed:mm\\:ss} {suffix}   ");
        if (done >= total) Console.Error.WriteLine();
    }
}
