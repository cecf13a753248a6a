using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// A trade-off chart: named series of points (cost, mean ± sd, label shown on hover) on a logarithmic x-axis, and the
    /// Pareto front drawn as a dashed staircase through its points (the best value reachable at each cost).
    /// </summary>
    /// <param name="series">Series name → points (x, mean, sd, hover label).</param>
    /// <param name="front">The front's points, by increasing x (see <c>Pareto.Front</c>); empty for none.</param>
    /// <param name="xTitle">X-axis title (the cost, drawn on a log scale).</param>
    /// <param name="yTitle">Y-axis title.</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart Pareto<TPoints>(IReadOnlyDictionary<string, TPoints> series, IReadOnlyList<(double X, double Y)> front,
        string xTitle, string yTitle, string title)
        where TPoints : IEnumerable<(double X, double Mean, double Sd, string Label)>
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(front);
        var traces = new List<Trace>();
        var colour = 0;
        foreach (var (name, points) in series)
        {
            var list = points.ToList();
            traces.Add(Figure.Trace("scatter")
                .With("x", list.Select(p => p.X).ToArray()).With("y", list.Select(p => p.Mean).ToArray())
                .With("text", list.Select(p => p.Label).ToArray()).With("hovertemplate", "%{text}<br>%{x:.3s} · %{y:.2f}<extra></extra>")
                .With("mode", "markers").With("name", name)
                .With("marker", new Dictionary<string, object> { ["size"] = 8, ["opacity"] = 0.85, ["color"] = ChartStyle.ColorAt(colour++) })
                .With("error_y", new Dictionary<string, object>
                {
                    ["type"] = "data", ["array"] = list.Select(p => p.Sd).ToArray(), ["visible"] = true, ["thickness"] = 1, ["width"] = 3,
                }));
        }
        if (front.Count > 0)
            traces.Add(Figure.Trace("scatter")
                .With("x", front.Select(p => p.X).ToArray()).With("y", front.Select(p => p.Y).ToArray())
                .With("mode", "lines").With("name", "Pareto front").With("hoverinfo", "skip")
                .With("line", new Dictionary<string, object> { ["color"] = "#444", ["dash"] = "dash", ["width"] = 1, ["shape"] = "hv" }));
        return ChartStyle.Finish(Figure.Chart(traces, xTitle, yTitle, LogX), title);
    }

    private static void LogX(Layout layout) => ((DynamicObj.DynamicObj)layout.GetPropertyValue("xaxis")).SetProperty("type", "log");
}
