//! Windows `.evtx` event logs (work in progress).
