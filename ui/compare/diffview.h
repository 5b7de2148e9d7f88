#pragma once

// Work in progress: diffview
