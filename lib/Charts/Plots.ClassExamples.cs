using Plotly.NET;
using PruningLab.Data;
using static TorchSharp.torch;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// The first image of each class, side by side in one grey heat-map (pixels as stored, i.e. normalised),
    /// titled with the class names in order. Lesson 00 uses it to show the data.
    /// </summary>
    public static GenericChart ClassExamples(ImageDataset data, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var classes = data.ClassNames.Count;
        var height = (int)data.Images.shape[2];
        var width = (int)data.Images.shape[3];
        var strip = new float[height, width * classes];
        for (var c = 0; c < classes; c++)
        {
            var found = data.Labels.eq(c).nonzero();
            if (found.shape[0] == 0) continue;   // a class missing from a small subset stays blank
            var pixels = data.Images[found[0, 0].item<long>(), 0].contiguous().data<float>().ToArray();
            for (var r = 0; r < height; r++)
                for (var x = 0; x < width; x++)
                    strip[r, c * width + x] = pixels[r * width + x];
        }
        return Heatmap(strip, title ?? "One image per class: " + string.Join(" · ", data.ClassNames), colorScale: "Greys", xTitle: "", yTitle: "");
    }
}
