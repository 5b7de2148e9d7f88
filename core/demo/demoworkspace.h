#pragma once

// Work in progress: demo workspace
