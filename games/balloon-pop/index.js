// Balloon Pop: balloons drift up; tap them before they float away. Every pop scores a point and
// makes a sound for everyone. Uses an image and a sound shipped in ./assets.
const { Game, GameNode, Colors, Shapes, ShapeUtils, Asset } = require('squish-135');

const W = 8;
const H = 12;

class BalloonPop extends Game {
    static metadata() {
        return {
            squishVersion: '135',
            name: 'Balloon Pop',
            author: 'homegames-rs',
            description: 'Tap the balloons before they float away.',
            tickRate: 20,
            assets: {
                balloon: new Asset({ id: 'balloon.png', type: 'image' }),
                pop: new Asset({ id: 'pop.wav', type: 'audio' }),
            },
        };
    }

    constructor() {
        super();
        this.scores = {};
        this.names = {};
        this.ticks = 0;
        this.sky = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: [135, 200, 250, 255] });
        this.balloons = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0) });
        this.sounds = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0) });
        this.scoreText = new GameNode.Text({ textInfo: { text: 'Pop the balloons!', x: 50, y: 3, size: 1.6, align: 'center', color: Colors.COLORS.BLACK } });
        this.sky.addChildren(this.balloons, this.sounds, this.scoreText);
    }

    handleNewPlayer({ playerId, info }) {
        this.scores[playerId] = 0;
        this.names[playerId] = (info && info.name) || `player${playerId}`;
        this.renderScores();
    }

    handlePlayerDisconnect(playerId) {
        delete this.scores[playerId];
        this.renderScores();
    }

    launch() {
        const x = 5 + Math.random() * (90 - W);
        const balloon = new GameNode.Asset({
            assetInfo: { balloon: { pos: { x, y: 100 }, size: { x: W, y: H } } },
            coordinates2d: ShapeUtils.rectangle(x, 100, W, H),
            onClick: (playerId) => this.pop(playerId, balloon),
        });
        balloon.speed = 0.6 + Math.random() * 0.9;
        this.balloons.addChild(balloon);
    }

    pop(playerId, balloon) {
        if (!(playerId in this.scores)) return;
        this.scores[playerId] += 1;
        this.balloons.removeChild(balloon.node.id);
        const sound = new GameNode.Asset({ assetInfo: { pop: { pos: { x: 0, y: 0 }, size: { x: 0, y: 0 }, startTime: 0 } } });
        this.sounds.addChild(sound);
        this.setTimeout(() => this.sounds.removeChild(sound.node.id), 600);
        this.renderScores();
    }

    tick() {
        this.ticks += 1;
        if (Object.keys(this.scores).length && this.ticks % 15 === 0) this.launch();
        for (const b of this.balloons.node.children.slice()) {
            const info = b.node.asset.balloon;
            info.pos.y -= b.speed;
            if (info.pos.y + H < 0) {
                this.balloons.removeChild(b.node.id);
                continue;
            }
            b.node.coordinates2d = ShapeUtils.rectangle(info.pos.x, info.pos.y, W, H);
        }
        if (this.balloons.node.children.length) this.sky.node.onStateChange();
    }

    renderScores() {
        const parts = Object.keys(this.scores).map((id) => `${this.names[id]}: ${this.scores[id]}`);
        this.scoreText.node.text = Object.assign({}, this.scoreText.node.text, { text: parts.join('   ') || 'Pop the balloons!' });
        this.sky.node.onStateChange();
    }

    getLayers() {
        return [{ root: this.sky }];
    }
}

module.exports = BalloonPop;
