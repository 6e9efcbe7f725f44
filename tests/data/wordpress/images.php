<?php
/*
 * Draws the fixture's pictures with PHP GD: gradients and shapes, original and small.
 * Each function takes a path and writes one JPEG or PNG there.
 */

function wpfixture_color( $image, array $rgb ) {
	return imagecolorallocate( $image, $rgb[0], $rgb[1], $rgb[2] );
}

function wpfixture_gradient( $image, $y_from, $y_to, array $top, array $bottom ) {
	$width = imagesx( $image );
	for ( $y = $y_from; $y < $y_to; $y++ ) {
		$t   = ( $y - $y_from ) / max( 1, $y_to - $y_from - 1 );
		$rgb = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$rgb[] = (int) round( $top[ $i ] + ( $bottom[ $i ] - $top[ $i ] ) * $t );
		}
		imageline( $image, 0, $y, $width - 1, $y, wpfixture_color( $image, $rgb ) );
	}
}

function wpfixture_save( $image, $path ) {
	if ( str_ends_with( $path, '.png' ) ) {
		imagesavealpha( $image, true );
		imagepng( $image, $path, 9 );
	} else {
		imagejpeg( $image, $path, 82 );
	}
	imagedestroy( $image );
}

// A container port at dusk: cranes against the sky, a ship on the water.
function wpfixture_draw_harbour( $path ) {
	$image = imagecreatetruecolor( 1280, 853 );
	wpfixture_gradient( $image, 0, 540, array( 38, 56, 104 ), array( 244, 168, 98 ) );
	imagefilledellipse( $image, 930, 505, 120, 120, wpfixture_color( $image, array( 252, 214, 150 ) ) );
	wpfixture_gradient( $image, 540, 853, array( 44, 78, 118 ), array( 14, 30, 54 ) );
	$dark = wpfixture_color( $image, array( 26, 28, 38 ) );
	imagesetthickness( $image, 9 );
	foreach ( array( 180, 420, 660 ) as $x ) {
		imageline( $image, $x, 540, $x, 250, $dark );
		imageline( $image, $x + 70, 540, $x + 70, 250, $dark );
		imageline( $image, $x - 90, 260, $x + 230, 260, $dark );
		imageline( $image, $x, 540, $x + 70, 400, $dark );
	}
	imagefilledpolygon( $image, array( 760, 560, 1180, 560, 1140, 620, 800, 620 ), $dark );
	$boxes = array( array( 186, 64, 52 ), array( 52, 96, 140 ), array( 210, 150, 60 ), array( 70, 120, 80 ) );
	for ( $i = 0; $i < 8; $i++ ) {
		imagefilledrectangle( $image, 800 + $i * 42, 520, 838 + $i * 42, 558, wpfixture_color( $image, $boxes[ $i % 4 ] ) );
	}
	imagesetthickness( $image, 3 );
	$glint = wpfixture_color( $image, array( 236, 170, 110 ) );
	for ( $i = 0; $i < 6; $i++ ) {
		imageline( $image, 880 - $i * 12, 640 + $i * 28, 980 + $i * 12, 640 + $i * 28, $glint );
	}
	wpfixture_save( $image, $path );
}

// Rows of wheat under a pale sky.
function wpfixture_draw_field( $path ) {
	$image = imagecreatetruecolor( 800, 600 );
	wpfixture_gradient( $image, 0, 260, array( 150, 190, 226 ), array( 226, 234, 240 ) );
	wpfixture_gradient( $image, 260, 600, array( 222, 184, 92 ), array( 168, 124, 40 ) );
	imagesetthickness( $image, 4 );
	$row = wpfixture_color( $image, array( 140, 100, 34 ) );
	for ( $x = -600; $x < 1400; $x += 60 ) {
		imageline( $image, 400, 262, $x, 600, $row );
	}
	wpfixture_save( $image, $path );
}

// A bulk carrier's hull on open water.
function wpfixture_draw_ship( $path ) {
	$image = imagecreatetruecolor( 800, 600 );
	wpfixture_gradient( $image, 0, 330, array( 196, 214, 230 ), array( 238, 240, 236 ) );
	wpfixture_gradient( $image, 330, 600, array( 60, 104, 140 ), array( 24, 52, 80 ) );
	imagefilledpolygon( $image, array( 120, 300, 700, 300, 650, 380, 160, 380 ), wpfixture_color( $image, array( 150, 40, 36 ) ) );
	imagefilledrectangle( $image, 560, 220, 640, 300, wpfixture_color( $image, array( 236, 236, 230 ) ) );
	imagefilledrectangle( $image, 596, 180, 612, 220, wpfixture_color( $image, array( 40, 40, 46 ) ) );
	foreach ( array( 190, 290, 390, 490 ) as $x ) {
		imagefilledrectangle( $image, $x, 284, $x + 70, 300, wpfixture_color( $image, array( 90, 90, 96 ) ) );
	}
	wpfixture_save( $image, $path );
}

// Grain silos: cylinders with domed tops.
function wpfixture_draw_silos( $path ) {
	$image = imagecreatetruecolor( 800, 600 );
	wpfixture_gradient( $image, 0, 480, array( 120, 160, 200 ), array( 210, 222, 232 ) );
	wpfixture_gradient( $image, 480, 600, array( 118, 112, 96 ), array( 84, 80, 70 ) );
	$shades = array( array( 176, 178, 180 ), array( 156, 158, 162 ), array( 190, 190, 188 ) );
	foreach ( array( 120, 290, 460 ) as $i => $x ) {
		$shade = wpfixture_color( $image, $shades[ $i ] );
		imagefilledrectangle( $image, $x, 200, $x + 150, 480, $shade );
		imagefilledellipse( $image, $x + 75, 200, 150, 90, $shade );
		imageline( $image, $x + 20, 210, $x + 20, 480, wpfixture_color( $image, array( 120, 122, 126 ) ) );
	}
	wpfixture_save( $image, $path );
}

// A bar chart without labels: five bars over grid lines.
function wpfixture_draw_chart( $path ) {
	$image = imagecreatetruecolor( 640, 400 );
	imagefill( $image, 0, 0, wpfixture_color( $image, array( 255, 255, 255 ) ) );
	$grid = wpfixture_color( $image, array( 220, 224, 230 ) );
	for ( $y = 60; $y <= 340; $y += 56 ) {
		imageline( $image, 60, $y, 600, $y, $grid );
	}
	$axis = wpfixture_color( $image, array( 40, 44, 52 ) );
	imageline( $image, 60, 40, 60, 340, $axis );
	imageline( $image, 60, 340, 600, 340, $axis );
	$heights = array( 220, 180, 130, 150, 90 );
	$colors  = array( array( 30, 80, 140 ), array( 30, 80, 140 ), array( 200, 90, 40 ), array( 200, 90, 40 ), array( 120, 120, 120 ) );
	foreach ( $heights as $i => $height ) {
		$x = 90 + $i * 102;
		imagefilledrectangle( $image, $x, 340 - $height, $x + 64, 339, wpfixture_color( $image, $colors[ $i ] ) );
	}
	wpfixture_save( $image, $path );
}

// An invented coastline: land shapes on a blue sea, a dashed border, three towns.
function wpfixture_draw_map( $path ) {
	$image = imagecreatetruecolor( 640, 420 );
	imagefill( $image, 0, 0, wpfixture_color( $image, array( 170, 202, 226 ) ) );
	imagefilledpolygon( $image, array( 0, 0, 380, 0, 340, 90, 400, 170, 300, 260, 180, 240, 120, 330, 0, 300 ), wpfixture_color( $image, array( 214, 226, 188 ) ) );
	imagefilledpolygon( $image, array( 380, 0, 640, 0, 640, 220, 520, 260, 400, 170, 340, 90 ), wpfixture_color( $image, array( 236, 214, 180 ) ) );
	imagefilledpolygon( $image, array( 470, 320, 560, 300, 600, 360, 520, 400 ), wpfixture_color( $image, array( 226, 200, 210 ) ) );
	imagesetstyle( $image, array_merge( array_fill( 0, 8, wpfixture_color( $image, array( 90, 70, 60 ) ) ), array_fill( 0, 6, IMG_COLOR_TRANSPARENT ) ) );
	imagesetthickness( $image, 2 );
	imageline( $image, 380, 0, 340, 90, IMG_COLOR_STYLED );
	imageline( $image, 340, 90, 400, 170, IMG_COLOR_STYLED );
	$town = wpfixture_color( $image, array( 160, 40, 40 ) );
	foreach ( array( array( 200, 120 ), array( 520, 120 ), array( 530, 345 ) ) as $point ) {
		imagefilledellipse( $image, $point[0], $point[1], 14, 14, $town );
	}
	wpfixture_save( $image, $path );
}

// A round table seen from above, chairs around it, papers on it.
function wpfixture_draw_table( $path ) {
	$image = imagecreatetruecolor( 800, 533 );
	wpfixture_gradient( $image, 0, 533, array( 120, 86, 60 ), array( 92, 64, 44 ) );
	for ( $i = 0; $i < 10; $i++ ) {
		$angle = 2 * M_PI * $i / 10;
		imagefilledellipse( $image, (int) ( 400 + 300 * cos( $angle ) ), (int) ( 266 + 210 * sin( $angle ) ), 70, 70, wpfixture_color( $image, array( 40, 52, 70 ) ) );
	}
	imagefilledellipse( $image, 400, 266, 520, 360, wpfixture_color( $image, array( 232, 226, 212 ) ) );
	for ( $i = 0; $i < 10; $i++ ) {
		$angle = 2 * M_PI * $i / 10;
		$x     = (int) ( 400 + 210 * cos( $angle ) );
		$y     = (int) ( 266 + 140 * sin( $angle ) );
		imagefilledrectangle( $image, $x - 18, $y - 24, $x + 18, $y + 24, wpfixture_color( $image, array( 255, 255, 255 ) ) );
	}
	wpfixture_save( $image, $path );
}

// The magazine's mark: a globe's meridians in a ring, on a transparent ground.
function wpfixture_draw_logo( $path ) {
	$image = imagecreatetruecolor( 400, 120 );
	imagealphablending( $image, false );
	imagefill( $image, 0, 0, imagecolorallocatealpha( $image, 0, 0, 0, 127 ) );
	imagealphablending( $image, true );
	$navy = wpfixture_color( $image, array( 24, 40, 72 ) );
	imagesetthickness( $image, 5 );
	imageellipse( $image, 60, 60, 96, 96, $navy );
	imagesetthickness( $image, 3 );
	foreach ( array( 30, 60 ) as $width ) {
		imageellipse( $image, 60, 60, $width, 96, $navy );
	}
	imageline( $image, 12, 60, 108, 60, $navy );
	imagefilledrectangle( $image, 130, 44, 380, 52, $navy );
	imagefilledrectangle( $image, 130, 68, 320, 76, wpfixture_color( $image, array( 190, 70, 50 ) ) );
	wpfixture_save( $image, $path );
}
