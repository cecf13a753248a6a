using Plotly.NET;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>Accuracy (%) against sparsity (%) with one curve per layer: the sensitivity scan of lesson 01.</summary>
    public static GenericChart Sensitivity(IEnumerable<SensitivityPoint> points, string title = "Sensitivity: accuracy with one layer pruned") =>
        Curves(points.GroupBy(p => p.Layer).ToDictionary(g => g.Key, g => g.Select(p => (p.Sparsity * 100, p.Accuracy * 100)).ToList()),
            "sparsity of the layer (%)", "validation accuracy (%)", title);

    /// <summary>
    /// The top-left <paramref name="rows"/> × <paramref name="columns"/> corner of a 2-D mask (or weight) as a heat-map:
    /// dark = pruned (0), light = kept.
    /// </summary>
    public static GenericChart Mask(Tensor mask, string title, int rows = 40, int columns = 120, string xTitle = "input", string yTitle = "output")
    {
        ArgumentNullException.ThrowIfNull(mask);
        using var scope = NewDisposeScope();
        var matrix = mask.detach().reshape(mask.shape[0], -1).to(float32);
        rows = (int)Math.Min(rows, matrix.shape[0]);
        columns = (int)Math.Min(columns, matrix.shape[1]);
        var corner = matrix.narrow(0, 0, rows).narrow(1, 0, columns).contiguous().data<float>().ToArray();
        var values = new float[rows, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                values[r, c] = corner[r * columns + c];
        return Heatmap(values, title, colorScale: "Greys", xTitle: xTitle, yTitle: yTitle);
    }
}
