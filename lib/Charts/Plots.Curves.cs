using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Several named (x, y) curves with markers on shared axes, e.g. accuracy vs sparsity
    /// for "one-shot" and "fine-tuned" pruning. Points are drawn in the order given.
    /// </summary>
    /// <param name="series">Series name → points (any list or sequence of (x, y) tuples).</param>
    /// <param name="xTitle">X-axis title, e.g. "sparsity".</param>
    /// <param name="yTitle">Y-axis title, e.g. "test accuracy".</param>
    /// <param name="title">Chart title.</param>
    /// <param name="logY">A logarithmic y axis (for times that span orders of magnitude).</param>
    public static GenericChart Curves<TPoints>(IReadOnlyDictionary<string, TPoints> series, string xTitle, string yTitle, string title, bool logY = false)
        where TPoints : IEnumerable<(double X, double Y)>
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((kv, i) => Line(kv.Key, kv.Value.Select(p => (p.X, p.Y, (double?)null)).ToList(), i));
        return ChartStyle.Finish(Figure.Chart(traces, xTitle, yTitle, logY ? LogY : null), title);
    }

    private static void LogY(Layout layout) => ((DynamicObj.DynamicObj)layout.GetPropertyValue("yaxis")).SetProperty("type", "log");

    /// <summary>
    /// Curves of means with error bars of ± one standard deviation (over seeds), optionally with a dashed horizontal
    /// reference line (e.g. "dense" at 0 on a chart of drops from the dense model).
    /// </summary>
    /// <param name="series">Series name → (x, mean, sd) points.</param>
    /// <param name="xTitle">X-axis title.</param>
    /// <param name="yTitle">Y-axis title.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="reference">A horizontal line to draw, with its label, or null.</param>
    public static GenericChart CurvesWithSpread<TPoints>(IReadOnlyDictionary<string, TPoints> series, string xTitle, string yTitle, string title,
        (double Y, string Label)? reference = null)
        where TPoints : IEnumerable<(double X, double Mean, double Sd)>
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((kv, i) => Line(kv.Key, kv.Value.Select(p => (p.X, p.Mean, (double?)p.Sd)).ToList(), i)).ToList();
        if (reference is { } line)
        {
            var xs = series.Values.SelectMany(s => s.Select(p => p.X)).DefaultIfEmpty(0).ToList();
            traces.Add(Figure.Trace("scatter")
                .With("x", new[] { xs.Min(), xs.Max() }).With("y", new[] { line.Y, line.Y })
                .With("mode", "lines").With("name", line.Label)
                .With("line", new Dictionary<string, object> { ["color"] = "#444", ["dash"] = "dash", ["width"] = 1 }));
        }
        return ChartStyle.Finish(Figure.Chart(traces, xTitle, yTitle), title);
    }

    private static Trace2D Line(string name, IReadOnlyList<(double X, double Y, double? Error)> points, int colour)
    {
        var trace = Figure.Trace("scatter")
            .With("x", points.Select(p => p.X).ToArray())
            .With("y", points.Select(p => p.Y).ToArray())
            .With("mode", "lines+markers").With("name", name)
            .With("line", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(colour) })
            .With("marker", new Dictionary<string, object> { ["size"] = 7 });
        if (points.Any(p => p.Error is not null))
            trace.With("error_y", new Dictionary<string, object>
            {
                ["type"] = "data", ["array"] = points.Select(p => p.Error ?? 0).ToArray(), ["visible"] = true, ["thickness"] = 1.5, ["width"] = 4,
            });
        return trace;
    }
}
