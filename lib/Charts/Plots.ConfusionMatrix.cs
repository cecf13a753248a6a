using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Confusion matrix as a heat-map: rows are true classes, columns predicted classes,
    /// each cell labelled with its count.
    /// </summary>
    /// <param name="counts">counts[trueClass, predictedClass].</param>
    /// <param name="classNames">One name per class, used on both axes.</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart ConfusionMatrix(int[,] counts, IReadOnlyList<string> classNames, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        int n = classNames.Count;
        if (counts.GetLength(0) != n || counts.GetLength(1) != n)
            throw new ArgumentException($"counts must be {n}x{n} to match the class names.", nameof(counts));

        var names = classNames.ToArray();
        var z = Enumerable.Range(0, n).Select(r => Enumerable.Range(0, n).Select(c => counts[r, c]).ToArray()).ToArray();
        var text = z.Select(row => row.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var trace = Figure.Trace("heatmap")
            .With("z", z).With("x", names).With("y", names)
            .With("text", text).With("texttemplate", "%{text}")
            // plotly's "Blues" runs dark→light; reversed, large counts (the diagonal) are the dark cells.
            .With("colorscale", "Blues").With("reversescale", true)
            .With("hovertemplate", "true %{y}<br>predicted %{x}<br>count %{z}<extra></extra>");
        var chart = Figure.Chart([trace], "predicted class", "true class", layout =>
        {
            ReverseY(layout);
            // Class names are categories even when they look like numbers ("0".."9").
            ((DynamicObj.DynamicObj)layout.GetPropertyValue("xaxis")).SetProperty("type", "category");
            ((DynamicObj.DynamicObj)layout.GetPropertyValue("yaxis")).SetProperty("type", "category");
        });
        return ChartStyle.Finish(chart, title, width: 650, height: 600);
    }
}
