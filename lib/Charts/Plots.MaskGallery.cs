using Plotly.NET;
using static TorchSharp.torch;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Masks of one layer drawn one above the other, each as a matrix [output, everything else] (a convolution's
    /// [out, in, kh, kw] becomes [out, in·kh·kw]: each input channel is kh·kw adjacent columns), kept weights dark and
    /// pruned ones white, a thin gap between masks and each mask named on the y axis (lesson 03's granularities).
    /// </summary>
    /// <param name="masks">Name → 0/1 mask; all of the same shape.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">X-axis title.</param>
    /// <exception cref="ArgumentException">No masks, or masks of different shapes.</exception>
    public static GenericChart MaskGallery(IReadOnlyDictionary<string, Tensor> masks, string title, string xTitle = "input × kernel position")
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count == 0) throw new ArgumentException("No masks to draw.", nameof(masks));
        var shape = masks.Values.First().shape;
        if (masks.Values.Any(m => !m.shape.SequenceEqual(shape)))
            throw new ArgumentException($"The masks differ in shape: {string.Join(", ", masks.Select(m => $"{m.Key} [{string.Join(",", m.Value.shape)}]"))}.", nameof(masks));
        var rows = (int)shape[0];
        var columns = (int)(shape.Length == 1 ? 1 : shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        const int gap = 2;
        var z = new List<double?[]>();
        var ticks = new List<double>();
        foreach (var mask in masks.Values)
        {
            if (z.Count > 0) z.AddRange(Enumerable.Range(0, gap).Select(_ => new double?[columns]));   // null: drawn as a gap
            ticks.Add(z.Count + (rows - 1) / 2.0);
            using var scope = NewDisposeScope();
            var values = mask.detach().cpu().to(float64).reshape(rows, columns).data<double>().ToArray();
            for (var r = 0; r < rows; r++) z.Add(values.Skip(r * columns).Take(columns).Select(v => (double?)(v != 0 ? 1 : 0)).ToArray());
        }
        var trace = Figure.Trace("heatmap")
            .With("z", z.ToArray())
            .With("colorscale", new object[] { new object[] { 0, "#ffffff" }, new object[] { 1, "#1f3b73" } })
            .With("zmin", 0).With("zmax", 1).With("showscale", false).With("hoverongaps", false);
        var height = Math.Clamp(120 + 3 * z.Count, ChartStyle.Height, 1000);
        return ChartStyle.Finish(
            Figure.Chart([trace], xTitle, null, layout =>
            {
                ReverseY(layout);
                var yaxis = (DynamicObj.DynamicObj)layout.GetPropertyValue("yaxis");
                yaxis.SetProperty("tickvals", ticks.ToArray());
                yaxis.SetProperty("ticktext", masks.Keys.ToArray());
            }),
            title, height: height);
    }
}
