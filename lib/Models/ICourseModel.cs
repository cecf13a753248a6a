namespace PruningLab.Models;

/// <summary>
/// What a course model states about itself, so that tools need not guess: the shape of one input (without the
/// batch dimension). <see cref="Pruning.SparsityReport"/> uses it to count the multiply-accumulates of convolutions.
/// </summary>
public interface ICourseModel
{
    /// <summary>The shape of one input, e.g. [1, 28, 28] for a Fashion-MNIST image.</summary>
    long[] InputShape { get; }
}
