namespace PruningLab.Charts;

/// <summary>One row of a training history: the losses and accuracies measured after an epoch.</summary>
/// <param name="Epoch">Epoch number (1-based by convention).</param>
/// <param name="TrainLoss">Mean loss on the training set.</param>
/// <param name="TestLoss">Mean loss on the test set.</param>
/// <param name="TrainAccuracy">Accuracy on the training set, as a fraction in [0, 1] or a percentage.</param>
/// <param name="TestAccuracy">Accuracy on the test set, in the same unit as <paramref name="TrainAccuracy"/>.</param>
public sealed record EpochPoint(int Epoch, double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy);
