package trainer

// DirectPredict switches the direct runs of prediction graphs, for tests
// that compare them with the tape machine's.
var DirectPredict = &directPredict

// DirectFallbacks counts the prediction graphs that fell back to the tape
// machine.
var DirectFallbacks = &directFallbacks

// DirectTrainNodes is the graph size above which training graphs run
// directly, for tests that compare them with the tape machine's.
var DirectTrainNodes = &directTrainNodes
