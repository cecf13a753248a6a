using Plotly.NET;

namespace PruningLab.Charts;

/// <summary>Chart builders for the course. Each takes plain .NET data and returns a Plotly.NET chart.</summary>
public static partial class Plots
{
    /// <summary>
    /// Loss and accuracy per epoch, side by side: train vs test in each panel,
    /// with the same colour for "train" (and for "test") in both panels.
    /// </summary>
    /// <param name="history">One point per epoch, in order.</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart TrainingCurves(IReadOnlyList<EpochPoint> history, string title = "Training curves")
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = history.Select(p => p.Epoch).ToArray();

        Trace2D Curve(string name, IEnumerable<double> y, int colour, string group, bool legend) =>
            Figure.Trace("scatter")
                .With("x", epochs).With("y", y.ToArray())
                .With("mode", "lines+markers").With("name", name)
                .With("legendgroup", group).With("showlegend", legend)
                .With("line", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(colour) });

        var loss = Figure.Chart(
            [
                Curve("train loss", history.Select(p => p.TrainLoss), 0, "train", true),
                Curve("test loss", history.Select(p => p.TestLoss), 1, "test", true),
            ],
            "epoch", "loss");
        var accuracy = Figure.Chart(
            [
                Curve("train accuracy", history.Select(p => p.TrainAccuracy), 0, "train", true),
                Curve("test accuracy", history.Select(p => p.TestAccuracy), 1, "test", true),
            ],
            "epoch", "accuracy");

        var grid = Figure.Grid([loss, accuracy], ["Loss", "Accuracy"], columns: 2);
        return ChartStyle.Finish(grid, title);
    }
}
