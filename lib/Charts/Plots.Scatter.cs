using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Named clouds of (x, y) points, markers only, optionally on logarithmic axes, with an optional dashed diagonal
    /// y = x (for "estimate vs truth" charts, where agreement puts every point on it).
    /// </summary>
    /// <param name="series">Series name → points.</param>
    /// <param name="xTitle">X-axis title.</param>
    /// <param name="yTitle">Y-axis title.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="log">Logarithmic x and y axes (points with a non-positive coordinate are left out, and counted in the legend).</param>
    /// <param name="diagonal">Draw y = x across the points' range.</param>
    public static GenericChart Scatter<TPoints>(IReadOnlyDictionary<string, TPoints> series, string xTitle, string yTitle, string title,
        bool log = false, bool diagonal = false)
        where TPoints : IEnumerable<(double X, double Y)>
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = new List<Trace>();
        var all = new List<double>();
        var colour = 0;
        foreach (var (name, points) in series)
        {
            var list = points.ToList();
            var shown = log ? list.Where(p => p.X > 0 && p.Y > 0).ToList() : list;
            all.AddRange(shown.SelectMany(p => new[] { p.X, p.Y }));
            var label = shown.Count < list.Count ? $"{name} ({list.Count - shown.Count} at ≤ 0 not shown)" : name;
            traces.Add(Figure.Trace("scatter")
                .With("x", shown.Select(p => p.X).ToArray()).With("y", shown.Select(p => p.Y).ToArray())
                .With("mode", "markers").With("name", label)
                .With("marker", new Dictionary<string, object> { ["size"] = 6, ["opacity"] = 0.75, ["color"] = ChartStyle.ColorAt(colour++) }));
        }
        if (diagonal && all.Count > 0)
            traces.Add(Figure.Trace("scatter")
                .With("x", new[] { all.Min(), all.Max() }).With("y", new[] { all.Min(), all.Max() })
                .With("mode", "lines").With("name", "y = x")
                .With("line", new Dictionary<string, object> { ["color"] = "#444", ["dash"] = "dash", ["width"] = 1 }));
        return ChartStyle.Finish(Figure.Chart(traces, xTitle, yTitle, log ? LogXY : null), title);
    }

    private static void LogXY(Layout layout)
    {
        LogY(layout);
        ((DynamicObj.DynamicObj)layout.GetPropertyValue("xaxis")).SetProperty("type", "log");
    }
}
