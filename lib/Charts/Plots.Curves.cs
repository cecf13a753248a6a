using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Several named (x, y) curves with markers on shared axes, e.g. accuracy vs sparsity
    /// for "one-shot" and "fine-tuned" pruning. Points are drawn in the order given.
    /// </summary>
    /// <param name="series">Series name → points.</param>
    /// <param name="xTitle">X-axis title, e.g. "sparsity".</param>
    /// <param name="yTitle">Y-axis title, e.g. "test accuracy".</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart Curves(
        IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> series,
        string xTitle, string yTitle, string title)
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((kv, i) =>
            Figure.Trace("scatter")
                .With("x", kv.Value.Select(p => p.X).ToArray())
                .With("y", kv.Value.Select(p => p.Y).ToArray())
                .With("mode", "lines+markers").With("name", kv.Key)
                .With("line", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(i) })
                .With("marker", new Dictionary<string, object> { ["size"] = 8 }));
        return ChartStyle.Finish(Figure.Chart(traces, xTitle, yTitle), title);
    }
}
